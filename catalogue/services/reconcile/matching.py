"""Candidates for a query, their scores (0-100) and the ``match`` flag.

A candidate scores 100 when the query names it the way the importer resolves a name
(``authority_matching.names_it``: the normalised text equals a normalised label text), or by
its URI, or (objects) by its exact number. ``match`` is true for the single candidate scoring
100, as ``catalogue import`` would pick it; several candidates at 100 are ambiguous there
too, so none is a match. Other candidates are scored by how alike the names are.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from difflib import SequenceMatcher

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject
from catalogue.services.exchange.authority_matching import names
from catalogue.services.identity import Identity
from catalogue.services.labels import normalise, pick
from catalogue.services.reconcile.queries import Query
from catalogue.services.reconcile.types import MODELS, PROPERTIES, TYPES, type_ref

# How many rows containing the name are scored, at most, per type and query.
CANDIDATES = 1000
# Candidates that only share a word with the query are kept from this score.
MIN_SCORE = 30
# Of those, how many (sharing the most words with the query) are scored by similarity.
SCORED = 100


@dataclass
class Candidate:
    id: str
    name: str
    type: str
    score: int
    description: str | None = None

    def result(self, match: bool) -> dict:
        found = {
            "id": self.id,
            "name": self.name,
            "type": [type_ref(self.type)],
            "score": self.score,
            "match": match,
        }
        if self.description:
            found["description"] = self.description
        return found


def score(needle: str, texts: set[str]) -> int:
    """100 when ``needle`` is one of the (normalised) ``texts``, else how alike, below 100."""
    if needle in texts:
        return 100
    best = max((SequenceMatcher(None, needle, t).ratio() for t in texts), default=0.0)
    return min(99, round(best * 100))


def words(needle: str) -> list[str]:
    found = [w for w in needle.split() if len(w) >= 3]
    return found or needle.split()


def rank(needle: str, items: list[tuple[object, set[str]]]) -> list[tuple[object, int]]:
    """``(item, score)`` for the items ``needle`` names (100) and the ``SCORED`` sharing the
    most of its words, scored by how alike the names are (kept from ``MIN_SCORE``)."""
    some = words(needle)
    exact, partial = [], []
    for item, texts in items:
        if needle in texts:
            exact.append((item, 100))
        else:
            shared = sum(1 for w in some if any(w in t for t in texts))
            partial.append((shared, len(partial), item, texts))
    nearest = heapq.nlargest(SCORED, partial, key=lambda p: (p[0], -p[1]))
    scored = ((item, score(needle, texts)) for _, _, item, texts in nearest)
    return exact + [(item, value) for item, value in scored if value >= MIN_SCORE]


def describe(type_id: str, item) -> str | None:
    if type_id == "term":
        return str(item.vocabulary).replace("_", " ")
    if type_id == "agent":
        return ", ".join(x for x in (str(item.kind), item.dates) if x)
    return None


class Reconciler:
    """Answers the queries of one request for one caller."""

    def __init__(self, identity: Identity, language: str) -> None:
        self.identity = identity
        self.language = language
        self._objects: list[tuple[str, str, set[str], dict]] | None = None

    def answer(self, batch: dict[str, Query]) -> dict:
        return {key: {"result": self.results(query)} for key, query in batch.items()}

    def results(self, query: Query) -> list[dict]:
        types = [query.type] if query.type else list(TYPES)
        # Without a type, a property filter leaves out the types that do not have it.
        types = [t for t in types if all(pid in PROPERTIES[t] for pid in query.filters)]
        found: list[Candidate] = []
        for type_id in types:
            if type_id == "object":
                found += self.objects(query)
            else:
                found += self.authorities(type_id, query)
        exact = [c for c in found if c.score == 100]
        found.sort(key=lambda c: (-c.score, c.name.casefold(), c.id))
        return [c.result(len(exact) == 1 and c is exact[0]) for c in found[: query.limit]]

    # Authorities: everyone may see terms, agents, places and collections.
    def authorities(self, type_id: str, query: Query) -> list[Candidate]:
        model = MODELS[type_id]
        select = sa.select(model)
        for pid, values in query.filters.items():
            select = select.where(getattr(model, pid).in_(values))
        if query.text.startswith(("http://", "https://")):
            rows = db.session.execute(select.where(model.uri == query.text)).scalars()
            return [self._authority(type_id, item, 100) for item in rows]
        needle = normalise(query.text)
        if not needle:
            return []
        ordered = select.order_by(model.sort_key, model.id).limit(CANDIDATES)
        rows = list(
            db.session.execute(
                ordered.where(model.search_text.contains(needle, autoescape=True))
            ).scalars()
        )
        if len(rows) < CANDIDATES:
            seen = {item.id for item in rows}
            alike = sa.or_(*(model.search_text.contains(w, autoescape=True) for w in words(needle)))
            more = db.session.execute(ordered.where(alike)).scalars()
            rows += [item for item in more if item.id not in seen]
        ranked = rank(needle, [(item, names(item.label)) for item in rows])
        return [self._authority(type_id, item, value) for item, value in ranked]

    def _authority(self, type_id: str, item, value: int) -> Candidate:
        name = pick(item.label, self.language, fallback="")
        return Candidate(str(item.id), name, type_id, value, describe(type_id, item))

    # Objects: only those the caller may see, by number or title.
    def _visible_objects(self) -> list[tuple[str, str, set[str], dict]]:
        if self._objects is None:
            o = CatalogueObject
            rows = db.session.execute(
                sa.select(o.id, o.object_number, o.title).where(
                    o.status.in_(self.identity.visible_statuses)
                )
            )
            self._objects = [(str(i), number, names(title), title) for i, number, title in rows]
        return self._objects

    def objects(self, query: Query) -> list[Candidate]:
        numbers = set(query.filters.get("object_number", ()))
        needle = normalise(query.text)
        some = words(needle)
        by_number, by_title = [], []
        for row in self._visible_objects():
            number, titles = row[1], row[2]
            if numbers and number not in numbers:
                continue
            if query.text == number:
                by_number.append((row, 100))
            elif needle == normalise(number):
                by_number.append((row, 99))
            elif needle in titles or any(w in t for t in titles for w in some):
                by_title.append((row, titles))
        found = []
        for (object_id, number, _, title), value in by_number + rank(needle, by_title):
            name = pick(title, self.language, fallback=number)
            found.append(Candidate(object_id, name, "object", value, number))
        return found


def entity(identity: Identity, item_id) -> tuple[str, object] | None:
    """The type and row of the entity with this id the caller may see, else None."""
    item = db.session.get(CatalogueObject, item_id)
    if item is not None:
        return ("object", item) if identity.can_see(item.status) else None
    for type_id, model in MODELS.items():
        item = db.session.get(model, item_id)
        if item is not None:
            return type_id, item
    return None
