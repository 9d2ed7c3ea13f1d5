"""Finding the terms, agents, places and collections a spreadsheet names, or creating them."""

from __future__ import annotations

import uuid
from collections import defaultdict

import sqlalchemy as sa
from marshmallow import ValidationError

from catalogue.extensions import db
from catalogue.models import Agent, AgentKind, CatalogueObject, Collection, Place, Term, Tombstone
from catalogue.schemas.common import LanguageMap, flatten_messages
from catalogue.services.labels import label_keys, normalise

MODELS = {"terms": Term, "agents": Agent, "places": Place, "collections": Collection}
WORDS = {"terms": "term", "agents": "agent", "places": "place", "collections": "collection"}


def names(label) -> set[str]:
    """The names an authority answers to: each text of its label, normalised.

    A text names the authority when ``normalise(text)`` is one of them; the importer, the
    reconciliation service and the workspace's filters all compare names this way.
    """
    return {normalise(t) for t in (label or {}).values() if isinstance(t, str) and t.strip()}


def names_it(label, text: str) -> bool:
    """Whether ``text`` names the authority with this label (as ``AuthorityIndex.resolve``)."""
    return normalise(text) in names(label)


class AuthorityIndex:
    """Every authority by label (each language) and URI, loaded once per import.

    With ``create``, an unknown label gets an id and waits in ``pending`` (so later rows
    naming it agree); ``materialise`` adds it to the session when the batch of the first row
    that names it is written.
    """

    def __init__(self, default_language: str, create: bool = False) -> None:
        self.default_language = default_language
        self.create = create
        self.by_label: dict[tuple, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.by_uri: dict[tuple, dict[str, str]] = defaultdict(dict)
        self.pending: dict[str, tuple[str, str | None, dict]] = {}
        # Pending ids named since the last reset (by one row).
        self.touched: set[str] = set()
        self.held: list = []
        self._load()

    def counts(self) -> dict[str, int]:
        counted: dict[str, int] = defaultdict(int)
        for kind, _, _ in self.pending.values():
            counted[kind] += 1
        return dict(counted)

    def hold(self) -> None:
        """Load every authority into the session and keep it there while records are written.

        The session only holds weak references: without these, each record written would
        query the authorities it names again.
        """
        self.held = [
            item
            for model in MODELS.values()
            for item in db.session.execute(sa.select(model)).scalars()
        ]

    def materialise(self, item_id: str) -> str | None:
        """Add a pending authority to the session; returns its kind (None: done already)."""
        if item_id not in self.pending:
            return None
        kind, vocabulary, label = self.pending.pop(item_id)
        extra = {"vocabulary": vocabulary} if kind == "terms" else {}
        if kind == "agents":
            extra["kind"] = AgentKind.person
        keys = label_keys(label, self.default_language)
        item = MODELS[kind](id=uuid.UUID(item_id), label=label, uri=None, **keys, **extra)
        db.session.add(item)
        self.held.append(item)
        return kind

    def _scope(self, kind: str, vocabulary: str | None) -> tuple:
        return (kind, vocabulary) if kind == "terms" else (kind, None)

    def _add(self, kind: str, vocabulary: str | None, item_id: str, label: dict, uri) -> None:
        scope = self._scope(kind, vocabulary)
        for name in names(label):
            self.by_label[scope][name].add(item_id)
        if uri:
            self.by_uri[scope][uri.strip()] = item_id

    def _load(self) -> None:
        for kind, model in MODELS.items():
            columns = [model.id, model.label, model.uri]
            if kind == "terms":
                columns.append(model.vocabulary)
            for row in db.session.execute(sa.select(*columns)):
                vocabulary = str(row[3]) if kind == "terms" else None
                self._add(kind, vocabulary, str(row[0]), row[1], row[2])

    def resolve(self, kind: str, text: str, vocabulary: str | None = None) -> str:
        """The id of the authority ``text`` names; raises LookupError with the reason."""
        scope = self._scope(kind, vocabulary)
        word = f"{vocabulary.replace('_', ' ')} term" if vocabulary else WORDS[kind]
        if text.startswith(("http://", "https://")):
            found = self.by_uri[scope].get(text)
            if found is None:
                raise LookupError(f"No {word} with URI {text}.")
            return found
        ids = self.by_label[scope].get(normalise(text))
        if ids and len(ids) > 1:
            raise LookupError(f"Several {word}s are labelled '{text}'; name it by its URI.")
        if ids:
            found = next(iter(ids))
            if found in self.pending:
                self.touched.add(found)
            return found
        if not self.create:
            raise LookupError(
                f"No {word} labelled '{text}' (add it first, or import with --create-authorities)."
            )
        try:  # the rules of a label given through the API
            label = LanguageMap().deserialize({self.default_language: text})
        except ValidationError as error:
            reasons = " ".join(m for ms in flatten_messages(error.messages).values() for m in ms)
            raise LookupError(f"'{text}' cannot name a new {word}: {reasons}") from error
        return self._new(kind, vocabulary, label)

    def _new(self, kind: str, vocabulary: str | None, label: dict[str, str]) -> str:
        item_id = str(uuid.uuid4())
        self.pending[item_id] = (kind, vocabulary, label)
        self._add(kind, vocabulary, item_id, label, None)
        self.touched.add(item_id)
        return item_id


class ObjectNumbers:
    """Accession numbers already in the catalogue (and deleted ones), fetched per batch."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.deleted: set[str] = set()

    def fetch(self, numbers: set[str]) -> None:
        wanted = [n for n in numbers if n not in self.ids and n not in self.deleted]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = db.session.execute(
                sa.select(CatalogueObject.object_number, CatalogueObject.id).where(
                    CatalogueObject.object_number.in_(chunk)
                )
            )
            self.ids.update({number: str(object_id) for number, object_id in rows})
            self.deleted.update(
                db.session.execute(
                    sa.select(Tombstone.object_number).where(Tombstone.object_number.in_(chunk))
                ).scalars()
            )
