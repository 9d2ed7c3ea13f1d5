"""Each record kept as each kind of caller reads it: JSON text ready to send, with its ETag.

``store`` sets an object's document (the curator's record) together with its
``public_json``, ``research_json`` and ``staff_json``, so reads never re-encode a record and
every channel serves exactly the view the rules in ``identity.view_of`` allow. Every writer
of a document goes through ``store``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from catalogue.models import CatalogueObject, Role
from catalogue.services.identity import ANONYMOUS, Identity, view_of

VIEWERS = {
    "public": ANONYMOUS,
    "research": Identity(role=Role.researcher),
    "staff": Identity(role=Role.curator),
}
COLUMNS = {
    "public": CatalogueObject.public_json,
    "research": CatalogueObject.research_json,
    "staff": CatalogueObject.staff_json,
}


def dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


def etag_of_text(text: str) -> str:
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


@dataclass
class Record:
    """A record as one caller may see it: its JSON text, parsed data and entity tag."""

    text: str
    # When the record last changed, where the read that gave it knew (for Last-Modified).
    last_modified: datetime | None = None

    @cached_property
    def data(self) -> dict:
        return json.loads(self.text)

    @cached_property
    def etag(self) -> str:
        return etag_of_text(self.text)


def stored(obj: CatalogueObject, identity: Identity) -> Record:
    """The caller's view of a loaded object, as stored."""
    return Record(getattr(obj, f"{identity.view}_json"))


def store(obj: CatalogueObject, document: dict) -> None:
    """Set the object's document and the stored view of each kind of caller."""
    obj.document = document
    for name, viewer in VIEWERS.items():
        setattr(obj, f"{name}_json", dumps(view_of(document, viewer)))
