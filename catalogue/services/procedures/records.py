"""Reading and writing procedures of every kind: create, read, list, replace, patch, delete.

Procedures are staff records: a caller who is not a curator or an admin is told there is no
such thing (404), never that it exists. Each write is one unit of work: load (locked), check
the ETag, validate, apply the kind's rules, save a version, log the change, commit.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from marshmallow import ValidationError

from catalogue.extensions import db
from catalogue.models import CatalogueObject, Procedure, ProcedureObject, ProcedureVersion
from catalogue.models.base import utcnow
from catalogue.schemas.common import flatten_messages
from catalogue.services import uow
from catalogue.services.errors import Conflict, NotFound, ValidationFailed
from catalogue.services.etag import check_precondition
from catalogue.services.identity import Identity
from catalogue.services.objects import write as objects_write
from catalogue.services.objects.documents import iso
from catalogue.services.objects.views import Record, dumps
from catalogue.services.pagination import Page, paginate
from catalogue.services.procedures import base
from catalogue.services.procedures.base import Kind
from catalogue.services.procedures.registry import KINDS

META = ("version", "updated_at", "updated_by", "links")


def require_staff(identity: Identity, what: str = "procedure") -> None:
    """Procedures do not exist for anyone but staff: 404, never 401 or 403."""
    if not identity.is_staff:
        raise NotFound(f"No such {what}.")


def kind_of(name: str) -> Kind:
    return KINDS[name]


def _find(kind: Kind, procedure_id: uuid.UUID, lock: bool = False) -> Procedure:
    if lock:
        procedure = uow.load_for_update(Procedure, procedure_id)
    else:
        procedure = db.session.get(Procedure, procedure_id)
    if procedure is None or procedure.kind != kind.name:
        raise NotFound(f"No {kind.name} with id {procedure_id}.")
    return procedure


# ---- the record as read ---------------------------------------------------------------------


def render(kind: Kind, procedure: Procedure) -> dict:
    """The whole record, references resolved to what they name now."""
    doc = procedure.document
    fields = {k: v for k, v in doc.items() if k not in ("objects", "transitions", *kind.read_only)}
    for name in kind.agent_fields:
        fields[name] = base.agent_ref(doc.get(name))
    for name in kind.location_lists:
        fields[name] = [base.location_ref(i) for i in doc.get(name) or []]
    record = {
        "id": str(procedure.id),
        "kind": procedure.kind,
        "number": procedure.number,
        "status": procedure.status,
        **fields,
    }
    for name in kind.read_only:
        record[name] = _rendered_read_only(doc.get(name))
    if "objects" in doc:
        record["objects"] = [base.object_ref(i) for i in doc.get("objects") or []]
    record.update(
        {
            "transitions": doc.get("transitions") or [],
            "version": procedure.version,
            "created_at": iso(procedure.created_at),
            "updated_at": iso(procedure.updated_at),
            "created_by": procedure.created_by,
            "updated_by": procedure.updated_by,
            "links": {"self": f"/api/v1/{kind.path}/{procedure.id}"},
        }
    )
    return record


def _rendered_read_only(value):
    """Read-only parts (audit items...) hold ``object`` and ``location`` ids: resolved."""
    if isinstance(value, list):
        return [_rendered_read_only(v) for v in value]
    if isinstance(value, dict):
        out = dict(value)
        if isinstance(out.get("object"), str):
            out["object"] = base.object_ref(out["object"])
        if isinstance(out.get("location"), str):
            out["location"] = base.location_ref(out["location"])
        return out
    if isinstance(value, str):
        return base.object_ref(value)
    return value


def allowed_now(identity: Identity, kind_name: str, procedure_id: uuid.UUID) -> list[str]:
    """The statuses the procedure can go to now (the buttons a page offers)."""
    require_staff(identity)
    kind = kind_of(kind_name)
    return list(kind.reachable(identity, _find(kind, procedure_id)))


def object_id_by_number(identity: Identity, object_number: str) -> uuid.UUID | None:
    """The object a registrar names by its number (staff see every object), or None."""
    require_staff(identity, "object")
    return db.session.execute(
        sa.select(CatalogueObject.id).where(CatalogueObject.object_number == object_number)
    ).scalar_one_or_none()


def as_record(kind: Kind, procedure: Procedure) -> Record:
    return Record(dumps(render(kind, procedure)), last_modified=procedure.updated_at)


def get(identity: Identity, kind_name: str, procedure_id: uuid.UUID) -> Record:
    require_staff(identity)
    kind = kind_of(kind_name)
    return as_record(kind, _find(kind, procedure_id))


def list_procedures(identity: Identity, kind_name: str, args: dict) -> Page:
    require_staff(identity)
    kind = kind_of(kind_name)
    query = filtered(kind, args).order_by(Procedure.created_at.desc(), Procedure.id)
    page = paginate(query, args.get("page", 1), args.get("per_page", 20))
    page.items = [render(kind, p) for p in page.items]
    return page


def filtered(kind: Kind, args: dict) -> sa.Select:
    query = sa.select(Procedure).where(Procedure.kind == kind.name)
    if args.get("status"):
        query = query.where(Procedure.status == args["status"])
    if args.get("object"):
        query = query.where(
            Procedure.id.in_(
                sa.select(ProcedureObject.procedure_id).where(
                    ProcedureObject.object_id == args["object"]
                )
            )
        )
    if args.get("date_from"):
        query = query.where(Procedure.date >= args["date_from"])
    if args.get("date_to"):
        query = query.where(Procedure.date <= args["date_to"])
    return query


# ---- writing ------------------------------------------------------------------------------


def load_input(kind: Kind, payload) -> dict:
    if not isinstance(payload, dict):
        raise ValidationFailed({"_schema": ["The body must be a JSON object."]})
    try:
        return kind.schema().load(payload)
    except ValidationError as error:
        raise ValidationFailed(flatten_messages(error.messages)) from error


def _date_of(kind: Kind, doc: dict):
    for name in kind.date_fields:
        if doc.get(name):
            return base.parse_date(doc[name])
    return None


def set_objects(procedure: Procedure, object_ids: list[str]) -> None:
    """The procedure's rows in ``procedure_objects``: the objects it concerns, in order."""
    db.session.execute(
        sa.delete(ProcedureObject).where(ProcedureObject.procedure_id == procedure.id)
    )
    db.session.flush()
    for position, object_id in enumerate(dict.fromkeys(object_ids)):
        db.session.add(
            ProcedureObject(
                procedure_id=procedure.id, object_id=uuid.UUID(object_id), position=position
            )
        )


def concerned_objects(kind: Kind, doc: dict) -> list[str]:
    ids = list(doc.get("objects") or [])
    for name in ("expected", "items"):
        for item in doc.get(name) or []:
            ids.append(item["object"] if isinstance(item, dict) else item)
    return ids


def _changed(before: dict | None, after: dict) -> list[str]:
    before = before or {}
    return [
        key
        for key, value in after.items()
        if key not in META and (before.get(key) != value if before else value not in (None, []))
    ]


def save_version(
    kind: Kind,
    procedure: Procedure,
    identity: Identity,
    before: dict | None,
    note: str | None = None,
) -> bool:
    """Flush, render, and keep a version when something changed; False when nothing did."""
    db.session.flush()
    record = render(kind, procedure)
    changed = _changed(before, record)
    if before is not None and not changed:
        return False
    db.session.add(
        ProcedureVersion(
            procedure_id=procedure.id,
            number=procedure.version,
            created_at=procedure.updated_at,
            created_by=identity.email,
            changed=changed,
            record=record,
            note=note,
        )
    )
    return True


def commit() -> None:
    objects_write.commit()


def create(
    identity: Identity, kind_name: str, data: dict, procedure_id: uuid.UUID | None = None
) -> Record:
    """Create a procedure; ``procedure_id`` keeps a known id (demo data)."""
    require_staff(identity)
    identity.require_staff()
    kind = kind_of(kind_name)
    base.check_references(kind, data)
    now = utcnow()
    number = data.pop("number", None)
    if number:
        base.reserve_number(kind, number)
    else:
        number = base.new_number(kind)
        base.reserve_number(kind, number)
    procedure = Procedure(
        id=procedure_id or uuid.uuid4(),
        kind=kind.name,
        number=number,
        status=kind.initial,
        created_at=now,
        updated_at=now,
        created_by=identity.email,
        updated_by=identity.email,
        document={},
        changed_objects=False,
    )
    stored = kind.prepare(identity, procedure, data) if kind.prepare else base.jsonable(data)
    procedure.document = {**procedure.document, **stored, "transitions": []}
    procedure.date = _date_of(kind, procedure.document) or now.date()
    # Written once, whole, before the rows that point at it.
    db.session.add(procedure)
    db.session.flush()
    set_objects(procedure, concerned_objects(kind, procedure.document))
    save_version(kind, procedure, identity, None)
    base.log_change(procedure, "created", identity)
    commit()
    return as_record(kind, procedure)


def load_for_write(
    identity: Identity, kind_name: str, procedure_id: uuid.UUID, if_match
) -> tuple[Kind, Procedure]:
    require_staff(identity)
    kind = kind_of(kind_name)
    procedure = _find(kind, procedure_id, lock=True)
    check_precondition(as_record(kind, procedure).etag, if_match)
    return kind, procedure


def save(
    identity: Identity, kind: Kind, procedure: Procedure, data: dict, note: str | None = None
) -> Record:
    """Apply validated input to a loaded procedure (a new version if something changed)."""
    base.check_references(kind, data)
    before = render(kind, procedure)
    number = data.pop("number", None)
    if number and number != procedure.number:
        base.reserve_number(kind, number)
        procedure.number = number
    old = procedure.document
    closed = kind.open_statuses and procedure.status not in kind.open_statuses
    if closed and "objects" in data and _input_ids(data["objects"]) != old.get("objects"):
        raise Conflict(
            f"This {kind.name} is {procedure.status}: its objects no longer change.",
            field="objects",
        )
    stored = kind.prepare(identity, procedure, data) if kind.prepare else base.jsonable(data)
    kept = {k: old[k] for k in ("transitions", *kind.read_only) if k in old}
    procedure.document = {**stored, **kept}
    procedure.date = _date_of(kind, procedure.document) or procedure.created_at.date()
    procedure.updated_at = utcnow()
    procedure.updated_by = identity.email
    set_objects(procedure, concerned_objects(kind, procedure.document))
    db.session.flush()
    if not _changed(before, render(kind, procedure)):
        db.session.rollback()
        return get(identity, kind.name, procedure.id)
    save_version(kind, procedure, identity, before, note)
    base.log_change(procedure, "updated", identity)
    commit()
    return as_record(kind, procedure)


def _input_ids(items: list) -> list[str | None]:
    """The object ids an input lists (None for a new object an entry will create)."""
    return [
        str(item) if isinstance(item, uuid.UUID) else (str(item["id"]) if item.get("id") else None)
        for item in items
    ]


def replace(identity: Identity, kind_name: str, procedure_id, data: dict, if_match) -> Record:
    kind, procedure = load_for_write(identity, kind_name, procedure_id, if_match)
    return save(identity, kind, procedure, data)


def patch(identity: Identity, kind_name: str, procedure_id, changes, if_match) -> Record:
    kind, procedure = load_for_write(identity, kind_name, procedure_id, if_match)
    if not isinstance(changes, dict):
        raise ValidationFailed({"_schema": ["A merge patch must be a JSON object."]})
    merged = objects_write.merge_patch(render(kind, procedure), changes)
    return save(identity, kind, procedure, load_input(kind, merged))


def delete(identity: Identity, kind_name: str, procedure_id, if_match) -> None:
    kind, procedure = load_for_write(identity, kind_name, procedure_id, if_match)
    if procedure.changed_objects:
        raise Conflict(
            f"The {kind.name} {procedure.number} changed objects (numbers, collection status, "
            "locations); it stays as the record of what happened. Cancel it instead where "
            "that is allowed.",
            allowed=list(kind.reachable(identity, procedure)),
        )
    db.session.execute(
        sa.delete(ProcedureObject).where(ProcedureObject.procedure_id == procedure.id)
    )
    base.log_change(procedure, "deleted", identity)
    db.session.delete(procedure)
    commit()
