"""Each record kept as each kind of caller reads it: JSON text ready to send, with its ETag.

Setting ``CatalogueObject.document`` (the curator's record) fills ``public_json``,
``research_json`` and ``staff_json`` in the same flush, so reads never re-encode a record
and every channel serves exactly the view the rules in ``identity.view_of`` allow. The
OAI-PMH payloads built from the public view are kept the same way, in their own table, by
the same flush (``oai_payloads.after_flush``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlalchemy import event
from sqlalchemy.orm import Session

from catalogue.models import CatalogueObject, Role
from catalogue.services.identity import ANONYMOUS, Identity, view_of
from catalogue.services.oai import payloads as oai_payloads

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


@event.listens_for(CatalogueObject.document, "set")
def _store_views(target: CatalogueObject, document: dict, _old, _initiator) -> None:
    for name, viewer in VIEWERS.items():
        setattr(target, f"{name}_json", dumps(view_of(document, viewer)))


event.listen(Session, "after_flush", oai_payloads.after_flush)
