"""A second synthetic collection for the search benchmark: long bilingual records.

Where ``synthetic`` makes short records over a small vocabulary, this one follows the
collection of issue 14: descriptions of about 110 words in French and 110 in English each
(function words included, as written), 26 object types, 2,000 makers, 500 places, mixed
statuses; and a mix of 200 queries of every kind a visitor types (one or several French or
English words, words without their accents, quoted phrases taken from records, maker and
place names), plus words that match nothing.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from benchmarks.bilingual_words import (
    ADJECTIVES,
    CONTENT,
    FIRST_NAMES,
    FUNCTION_WORDS,
    NO_MATCH,
    OBJECT_TYPES,
    PLACE_FORMS,
    PLACE_ROOTS,
    STATUSES,
    SURNAMES,
    VERBS,
)
from benchmarks.synthetic import MATERIALS, ref


def authorities(seed: int = 2014) -> dict[str, list[dict]]:
    """26 object types, 12 materials, 2,000 makers, 500 places, 12 collections."""
    rng = random.Random(seed)

    def make(kind: str, labels):
        return [
            {"id": uuid.UUID(int=rng.getrandbits(128)), "label": {"fr": fr, "en": en}, "kind": kind}
            for fr, en in labels
        ]

    names, seen = [], set()
    while len(names) < 2000:
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        initial = rng.choice("ABCDEFGHJKLMNPRSTVW")
        name = f"{first} {initial}. {last}" if (first, last) in seen else f"{first} {last}"
        if name not in seen:
            seen.add(name)
            seen.add((first, last))
            names.append((name, name))
    roots = PLACE_ROOTS[:12]
    places = [(form.format(root),) * 2 for form in PLACE_FORMS for root in PLACE_ROOTS]
    return {
        "object_type": make("object_type", OBJECT_TYPES),
        "material": make("material", MATERIALS),
        "agent": make("agent", names),
        "place": make("place", places),
        "collection": make("collection", [(f"Fonds {p}", f"{p} collection") for p in roots]),
    }


def _zipf(rng: random.Random, items: list, s: float = 1.0):
    weights = _WEIGHTS.get((id(items), s))
    if weights is None:
        weights = _WEIGHTS[(id(items), s)] = [1 / (rank + 1) ** s for rank in range(len(items))]
    return rng.choices(items, weights)[0]


_WEIGHTS: dict = {}


def _clause(rng: random.Random, names: list[str]) -> tuple[list[str], list[str]]:
    """One clause in both languages: article, noun, adjective, verb, preposition, noun."""
    noun, other = _zipf(rng, CONTENT, 0.8), _zipf(rng, CONTENT, 0.8)
    adjective, verb = rng.choice(ADJECTIVES), rng.choice(VERBS)
    link, article = rng.choice(FUNCTION_WORDS), rng.choice(FUNCTION_WORDS[:8])
    plural = rng.random() < 0.3 and not noun[0].endswith("s") and not noun[1].endswith("s")
    fr = [article[0], noun[0] + ("s" if plural else ""), adjective[0], verb[0], link[0], other[0]]
    en = [article[1], adjective[1], noun[1] + ("s" if plural else ""), verb[1], link[1], other[1]]
    if rng.random() < 0.15:
        name = rng.choice(names)
        fr += ["à", name]
        en += ["at", name]
    if rng.random() < 0.1:
        year = str(rng.randint(1939, 1946))
        fr += ["en", year]
        en += ["in", year]
    return fr, en


def _text(rng: random.Random, words: int, names: list[str]) -> tuple[str, str]:
    fr, en = [], []
    while len(fr) < words:
        clause_fr, clause_en = _clause(rng, names)
        fr += clause_fr
        en += clause_en
        if rng.random() < 0.35:
            fr[-1] += "."
            en[-1] += "."
    fr_text, en_text = " ".join(fr), " ".join(en)
    fr_text, en_text = fr_text.rstrip("."), en_text.rstrip(".")
    return fr_text[0].upper() + fr_text[1:] + ".", en_text[0].upper() + en_text[1:] + "."


def objects(count: int, auth: dict[str, list[dict]], seed: int = 2015):
    """Yield ``count`` object rows (column values plus the stored ``document``)."""
    rng = random.Random(seed)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    names = [p["label"]["fr"] for p in auth["place"][:120]]
    for n in range(count):
        object_id = uuid.UUID(int=rng.getrandbits(128))
        number = f"{1980 + n % 45}.{n // 45 % 10000:04d}.{n % 1000:03d}"
        kind = _zipf(rng, auth["object_type"], 0.7)
        noun = _zipf(rng, CONTENT, 0.8)
        adjective = rng.choice(ADJECTIVES)
        title = (f"{kind['label']['fr']} : {noun[0]} {adjective[0]}",
                 f"{kind['label']['en']}: {adjective[1]} {noun[1]}")  # fmt: skip
        description = _text(rng, rng.randint(88, 115), names)
        start = rng.randint(1930, 1950)
        end = start + rng.choice([0, 0, 0, 1, 2, 5, 10])
        materials = rng.sample(auth["material"], rng.randint(0, 3))
        makers = [_zipf(rng, auth["agent"], 0.5) for _ in range(rng.choice([0, 1, 1, 1, 2]))]
        place = _zipf(rng, auth["place"], 0.6)
        groups = [rng.choice(auth["collection"])] if rng.random() < 0.8 else []
        status = rng.choice(STATUSES)
        updated = base + timedelta(minutes=n)
        stamp = updated.strftime("%Y-%m-%dT%H:%M:%SZ")
        document = {
            "id": str(object_id),
            "object_number": number,
            "status": status,
            "object_type": ref(kind),
            "title": {"fr": title[0], "en": title[1]},
            "description": {"fr": description[0], "en": description[1]},
            "production": {
                "date": {
                    "display": f"{start}" if start == end else f"{start}-{end}",
                    "edtf": f"{start}" if start == end else f"{start}/{end}",
                    "earliest": f"{start}-01-01",
                    "latest": f"{end}-12-31",
                },
                "place": ref(place),
                "makers": [{"agent": ref(a), "role": "fabricant"} for a in makers],
            },
            "materials": [ref(m) for m in materials],
            "techniques": [],
            "subjects": [],
            "dimensions": [{"type": "height", "value": rng.randint(1, 2000), "unit": "mm"}],
            "inscriptions": [],
            "associated_places": [],
            "associated_agents": [],
            "collections": [ref(c) for c in groups],
            "related_objects": [],
            "credit_line": {"fr": "Don de la famille", "en": "Gift of the family"},
            "rights": None,
            "acquisition": None,
            "valuation": None,
            "location": None,
            "internal_notes": "note interne confidentielle",
            "media": [],
            "version": 1,
            "created_at": stamp,
            "updated_at": stamp,
            "links": {"self": f"/api/v1/objects/{object_id}"},
        }
        yield {
            "id": object_id,
            "object_number": number,
            "status": status,
            "object_type_id": kind["id"],
            "title": document["title"],
            "description": document["description"],
            "date_earliest": datetime(start, 1, 1).date(),
            "date_latest": datetime(end, 12, 31).date(),
            "production_place_id": place["id"],
            "version": 1,
            "created_at": updated,
            "updated_at": updated,
            "document": document,
        }


def _strip(word: str) -> str:
    return word.translate(str.maketrans("éèêàôîïûüç", "eeeaoiiuuc"))


def query_mix(auth: dict[str, list[dict]], seed: int = 2016, size: int = 200) -> list[str]:
    """200 queries: single French or English words, several words, accent-stripped words,
    quoted phrases as records word them, maker names and place names."""
    rng = random.Random(seed)
    queries = []
    for i in range(size):
        fr, en = _zipf(rng, CONTENT, 0.6)
        other = _zipf(rng, CONTENT, 0.6)
        shape = i % 10
        if shape in (0, 1):
            queries.append(fr)
        elif shape == 2:
            queries.append(en)
        elif shape == 3:
            queries.append(f"{fr} {other[0]}")
        elif shape == 4:
            queries.append(f"{en} {other[1]} {rng.choice(ADJECTIVES)[1]}")
        elif shape == 5:
            queries.append(_strip(fr) if _strip(fr) != fr else _strip(other[0]))
        elif shape == 6:
            adjective = rng.choice(ADJECTIVES)
            queries.append(f'"{en} {rng.choice(VERBS)[1]}"' if i % 20 == 6
                           else f'"{fr} {adjective[0]}"')  # fmt: skip
        elif shape == 7:
            queries.append(rng.choice(auth["agent"])["label"]["fr"])
        elif shape == 8:
            queries.append(rng.choice(auth["place"])["label"]["fr"])
        else:
            queries.append(_strip(rng.choice(auth["agent"])["label"]["fr"].split()[-1]))
    return queries


def no_match_queries() -> list[str]:
    return list(NO_MATCH)
