"""Status changes of procedures: explicit, checked against what is reachable now, and kept.

``POST /api/v1/{kind}/{id}/transitions`` with ``{"to": ...}`` and If-Match. A status that
cannot be reached now is a 409 whose ``allowed`` lists those that can. Each transition is kept
in the record (``transitions``: from, to, when, by whom, note) and is a new version.
"""

from __future__ import annotations

import uuid

from catalogue.models.base import utcnow
from catalogue.services.errors import Conflict
from catalogue.services.etag import check_precondition
from catalogue.services.identity import Identity
from catalogue.services.objects.documents import iso
from catalogue.services.objects.views import Record
from catalogue.services.procedures import audits, base, records


def transition(
    identity: Identity, kind_name: str, procedure_id: uuid.UUID, args: dict, if_match
) -> Record:
    kind, procedure = records.load_for_write(identity, kind_name, procedure_id, if_match)
    target = args["to"]
    allowed = list(kind.reachable(identity, procedure))
    if target not in allowed:
        raise Conflict(
            f"This {kind.name} is {procedure.status} and cannot become {target!r}; "
            + (f"it can become: {', '.join(allowed)}." if allowed else "its status is final."),
            allowed=allowed,
            current_status=procedure.status,
        )
    before = records.render(kind, procedure)
    if kind.on_transition is not None and kind.on_transition(identity, procedure, target, args):
        procedure.changed_objects = True
    now = utcnow()
    step = {"from": procedure.status, "to": target, "at": iso(now), "by": identity.email}
    if args.get("note"):
        step["note"] = args["note"]
    procedure.document = {
        **procedure.document,
        "transitions": [*(procedure.document.get("transitions") or []), step],
    }
    procedure.status = target
    procedure.updated_at = now
    procedure.updated_by = identity.email
    records.set_objects(procedure, records.concerned_objects(kind, procedure.document))
    records.save_version(kind, procedure, identity, before, note=f"Became {target}")
    base.log_change(procedure, "transition", identity)
    records.commit()
    return records.as_record(kind, procedure)


def record_audit_item(
    identity: Identity, procedure_id: uuid.UUID, data: dict, if_match=None
) -> Record:
    """``POST /api/v1/audits/{id}/items``: one object seen (or not) during the audit."""
    records.require_staff(identity)
    kind = records.kind_of("audit")
    procedure = records._find(kind, procedure_id, lock=True)
    if if_match is not None:
        check_precondition(records.as_record(kind, procedure).etag, if_match)
    before = records.render(kind, procedure)
    audits.record_item(identity, procedure, data)
    procedure.updated_at = utcnow()
    procedure.updated_by = identity.email
    records.set_objects(procedure, records.concerned_objects(kind, procedure.document))
    records.save_version(kind, procedure, identity, before, note="Item recorded")
    base.log_change(procedure, "updated", identity)
    records.commit()
    return records.as_record(kind, procedure)
