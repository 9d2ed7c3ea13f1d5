"""The change log of procedures, for staff consumers only (never in a public feed)."""

from __future__ import annotations

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import ProcedureChange
from catalogue.services.identity import Identity
from catalogue.services.objects.documents import iso
from catalogue.services.procedures import records


def changes(identity: Identity, since: int, limit: int) -> dict:
    records.require_staff(identity)
    rows = list(
        db.session.execute(
            sa.select(ProcedureChange)
            .where(ProcedureChange.seq > since)
            .order_by(ProcedureChange.seq)
            .limit(limit + 1)
        ).scalars()
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [
            {
                "seq": row.seq,
                "kind": row.kind,
                "id": str(row.procedure_id),
                "number": row.number,
                "event": row.event,
                "status": row.status,
                "at": iso(row.at),
                "by": row.by,
            }
            for row in rows
        ],
        "cursor": rows[-1].seq if rows else since,
        "has_more": more,
    }
