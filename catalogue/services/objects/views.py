"""Each record kept as each kind of caller reads it: JSON text ready to send, with its ETag.

``store`` sets an object's document (the curator's record) together with its
``public_json``, ``research_json`` and ``staff_json``, so reads never re-encode a record and
every channel serves exactly the view the rules in ``identity.view_of`` allow. Every writer
of a document goes through ``store``.

Each text is stored once, compressed (``models.packed``): the staff view is the document's
own stored text, and the research view is stored only when it differs from the public one.
Reading a view is one column of one row, decompressed, never encoded again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from catalogue.models import CatalogueObject, Role
from catalogue.models.packed import dumps
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


__all__ = ["COLUMNS", "VIEWERS", "Record", "dumps", "etag_of_text", "store", "stored"]


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
    public = dumps(view_of(document, VIEWERS["public"]))
    research = dumps(view_of(document, VIEWERS["research"]))
    obj.document = document
    obj.public_json = public
    obj._research_json = None if research == public else research
