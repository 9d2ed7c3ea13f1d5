"""An object's change, written to the change log in the unit of work that makes it.

The log orders every change; the search index, the changes feed, IIIF Discovery and OAI-PMH
datestamps all follow it, and the unit of work's change hooks see each entry as it is logged.
"""

from __future__ import annotations

from datetime import datetime

from catalogue.models import CatalogueObject, ChangeEvent, ChangeLogEntry, Status
from catalogue.services import uow


def log(obj: CatalogueObject, event: ChangeEvent, before: Status | None, now: datetime) -> None:
    uow.log_change(
        ChangeLogEntry(
            object_id=obj.id,
            object_number=obj.object_number,
            event=event,
            status_before=before,
            status_after=None if event == ChangeEvent.deleted else obj.status,
            at=now,
        )
    )
