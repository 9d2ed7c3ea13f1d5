"""A reproducible synthetic collection in French and English, for the search benchmark."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

# (French, English) pairs; word frequencies follow a Zipf-like curve so that queries
# range from very common words to rare ones.
WORDS = [
    ("fusée", "rocket"),
    ("bombardement", "bombing"),
    ("photographie", "photograph"),
    ("bunker", "bunker"),
    ("soldat", "soldier"),
    ("casque", "helmet"),
    ("lettre", "letter"),
    ("carte", "map"),
    ("uniforme", "uniform"),
    ("affiche", "poster"),
    ("avion", "aircraft"),
    ("usine", "factory"),
    ("déporté", "deportee"),
    ("résistance", "resistance"),
    ("libération", "liberation"),
    ("journal", "newspaper"),
    ("médaille", "medal"),
    ("obus", "shell"),
    ("tunnel", "tunnel"),
    ("béton", "concrete"),
    ("ingénieur", "engineer"),
    ("prisonnier", "prisoner"),
    ("travailleur", "worker"),
    ("chantier", "construction site"),
    ("rampe", "ramp"),
    ("lancement", "launch"),
    ("coupole", "dome"),
    ("radar", "radar"),
    ("moteur", "engine"),
    ("réservoir", "tank"),
    ("gouvernail", "rudder"),
    ("tuyère", "nozzle"),
    ("carnet", "notebook"),
    ("brassard", "armband"),
    ("insigne", "badge"),
    ("plan", "plan"),
    ("maquette", "model"),
    ("débris", "debris"),
    ("cratère", "crater"),
    ("forêt", "forest"),
    ("village", "village"),
    ("église", "church"),
    ("gare", "station"),
    ("pont", "bridge"),
    ("civil", "civilian"),
    ("enfant", "child"),
    ("famille", "family"),
    ("souvenir", "memory"),
    ("témoignage", "testimony"),
    ("archive", "archive"),
    ("tract", "leaflet"),
    ("parachute", "parachute"),
    ("pilote", "pilot"),
    ("bombe", "bomb"),
    ("canon", "gun"),
    ("abri", "shelter"),
    ("sirène", "siren"),
    ("rationnement", "rationing"),
    ("ticket", "ticket"),
    ("occupation", "occupation"),
    ("débarquement", "landing"),
    ("ruines", "ruins"),
]
FILLER = [
    ("de la", "of the"),
    ("pendant", "during"),
    ("après", "after"),
    ("avec", "with"),
    ("près de", "near"),
    ("et", "and"),
    ("pour", "for"),
    ("dans", "in"),
]
PLACES = [
    "Éperlecques",
    "Wizernes",
    "Saint-Omer",
    "Helfaut",
    "Watten",
    "Peenemünde",
    "Calais",
    "Lille",
    "Londres",
    "Anvers",
    "Mimoyecques",
    "Siracourt",
    "Lottinghen",
    "Nordhausen",
    "Dunkerque",
    "Arras",
    "Boulogne-sur-Mer",
    "Hazebrouck",
    "Aire-sur-la-Lys",
    "Béthune",
]
OBJECT_TYPES = [w for w in WORDS[:25]]
MATERIALS = [
    ("acier", "steel"),
    ("aluminium", "aluminium"),
    ("papier", "paper"),
    ("tissu", "textile"),
    ("bois", "wood"),
    ("cuir", "leather"),
    ("verre", "glass"),
    ("laiton", "brass"),
    ("caoutchouc", "rubber"),
    ("béton", "concrete"),
    ("cuivre", "copper"),
    ("carton", "cardboard"),
]
STATUSES = ["public"] * 8 + ["internal"] + ["draft"]


def _zipf_choice(rng: random.Random, items: list, s: float = 1.0):
    weights = [1 / (rank + 1) ** s for rank in range(len(items))]
    return rng.choices(items, weights)[0]


def _sentence(rng: random.Random, length: int) -> tuple[str, str]:
    fr, en = [], []
    for i in range(length):
        pair = _zipf_choice(rng, WORDS) if i % 3 != 1 else rng.choice(FILLER)
        plural = rng.random() < 0.3 and i % 3 != 1
        fr.append(pair[0] + ("s" if plural and not pair[0].endswith("s") else ""))
        en.append(pair[1] + ("s" if plural and not pair[1].endswith("s") else ""))
    return " ".join(fr).capitalize(), " ".join(en).capitalize()


def authorities(seed: int = 1944) -> dict[str, list[dict]]:
    """Terms, agents, places and collections with stable ids."""
    rng = random.Random(seed)

    def make(kind: str, labels):
        return [
            {"id": uuid.UUID(int=rng.getrandbits(128)), "label": {"fr": fr, "en": en}, "kind": kind}
            for fr, en in labels
        ]

    agents = [(f"Entreprise {n} {p}", f"{p} company {n}") for n in range(30) for p in PLACES[:10]]
    return {
        "object_type": make(
            "object_type", [(fr.capitalize(), en.capitalize()) for fr, en in OBJECT_TYPES]
        ),
        "material": make("material", MATERIALS),
        "agent": make("agent", agents),
        "place": make("place", [(p, p) for p in PLACES]),
        "collection": make("collection", [(f"Fonds {p}", f"{p} collection") for p in PLACES[:8]]),
    }


def ref(item: dict) -> dict:
    return {"id": str(item["id"]), "label": item["label"], "uri": None}


def objects(count: int, auth: dict[str, list[dict]], seed: int = 1945):
    """Yield ``count`` object rows (column values plus the stored ``document``)."""
    rng = random.Random(seed)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    for n in range(count):
        object_id = uuid.UUID(int=rng.getrandbits(128))
        number = f"{1990 + n % 35}.{n // 35 % 10000:04d}.{n % 1000:03d}"
        title = _sentence(rng, rng.randint(2, 5))
        description = _sentence(rng, rng.randint(8, 30))
        start = rng.randint(1935, 1948)
        end = start + rng.choice([0, 0, 0, 1, 2, 5])
        kind = _zipf_choice(rng, auth["object_type"], 0.8)
        materials = rng.sample(auth["material"], rng.randint(0, 2))
        makers = [_zipf_choice(rng, auth["agent"], 0.6)] if rng.random() < 0.6 else []
        place = _zipf_choice(rng, auth["place"], 0.7)
        groups = [rng.choice(auth["collection"])] if rng.random() < 0.7 else []
        status = rng.choice(STATUSES)
        updated = base + timedelta(minutes=n)
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
                    "edtf": None,
                    "earliest": f"{start}-01-01",
                    "latest": f"{end}-12-31",
                },
                "place": ref(place),
                "makers": [{"agent": ref(a), "role": "fabricant"} for a in makers],
            },
            "materials": [ref(m) for m in materials],
            "techniques": [],
            "subjects": [],
            "dimensions": [],
            "inscriptions": [],
            "associated_places": [],
            "associated_agents": [],
            "collections": [ref(c) for c in groups],
            "related_objects": [],
            "credit_line": None,
            "rights": None,
            "acquisition": None,
            "valuation": None,
            "location": None,
            "internal_notes": "note interne confidentielle",
            "media": [],
            "version": 1,
            "created_at": updated.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "updated_at": updated.strftime("%Y-%m-%dT%H:%M:%SZ"),
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


def query_mix(seed: int = 1946, size: int = 200) -> list[str]:
    """A fixed mix of queries in the catalogue's syntax."""
    rng = random.Random(seed)
    queries = []
    for i in range(size):
        fr, en = _zipf_choice(rng, WORDS, 0.7)
        other = _zipf_choice(rng, WORDS, 0.7)
        shape = i % 10
        if shape in (0, 1, 2):
            queries.append(fr)
        elif shape == 3:
            queries.append(en + "s")
        elif shape == 4:
            queries.append(f"{fr} {other[0]}")
        elif shape == 5:
            queries.append(f'"{fr} {rng.choice(FILLER)[0]}"')
        elif shape == 6:
            queries.append(f"{fr[:4]}*")
        elif shape == 7:
            queries.append(f"title:{en}")
        elif shape == 8:
            queries.append(f"{fr} OR {other[1]}")
        else:
            queries.append(fr.replace("é", "e").replace("è", "e"))
    return queries
