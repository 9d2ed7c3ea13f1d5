"""The registrar's pages: entries, acquisitions, audits and exits in the curators' workspace.

Lists with a status filter, a form per kind (agents and locations picked from lists, objects
named by their numbers), each procedure with the transition buttons allowed now, the receipt
of an entry, and an audit worked through one tap per object (found / missing). Every form
works without JavaScript and carries a CSRF token; the pages call the same services as the API.
"""

from __future__ import annotations

import uuid

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from catalogue.schemas import procedures as shapes
from catalogue.services.errors import Conflict, PreconditionFailed, ValidationFailed
from catalogue.services.procedures import paperwork, records, transitions
from catalogue.services.procedures.registry import BY_PATH
from catalogue.web import choices
from catalogue.web.common import identity, page_blueprint, staff_required

bp = page_blueprint("registrar", __name__, url_prefix="/curate/registrar")

TITLES = {
    "entries": "Object entries",
    "acquisitions": "Acquisitions",
    "audits": "Inventory audits",
    "exits": "Exits and deaccessions",
}
# The form's fields per kind: (name, type); agents and locations are picked from lists.
FIELDS = {
    "entries": [
        ("reason", "choice"),
        ("depositor", "agent"),
        ("owner", "agent"),
        ("entry_date", "date"),
        ("return_date", "date"),
        ("condition", "text"),
    ],
    "acquisitions": [
        ("method", "choice"),
        ("source", "agent"),
        ("offer_date", "date"),
        ("decision_date", "date"),
        ("transfer_date", "date"),
        ("funding", "text"),
    ],
    "audits": [("locations", "locations")],
    "exits": [
        ("reason", "choice"),
        ("method", "text"),
        ("recipient", "agent"),
        ("exit_date", "date"),
    ],
}


def _kind(path: str):
    kind = BY_PATH.get(path)
    if kind is None:
        abort(404)
    return kind


def _choices(path: str) -> tuple[str, ...]:
    return {
        "entries": shapes.ENTRY_REASONS,
        "acquisitions": shapes.ACQUISITION_METHODS,
        "exits": shapes.EXIT_REASONS,
    }.get(path, ())


@bp.get("/")
@staff_required
def menu():
    counts = {}
    for path, kind in BY_PATH.items():
        page = records.list_procedures(identity(), kind.name, {"per_page": 1})
        counts[path] = page.total
    return render_template("web/registrar_menu.html", titles=TITLES, counts=counts)


@bp.get("/<path>")
@staff_required
def listing(path: str):
    kind = _kind(path)
    status = request.args.get("status") or None
    page_number = request.args.get("page", "1")
    page_number = int(page_number) if page_number.isdigit() and 0 < int(page_number) < 10**6 else 1
    args = {"status": status, "page": page_number, "per_page": 50}
    page = records.list_procedures(identity(), kind.name, args)
    statuses = sorted(kind.transitions)
    return render_template(
        "web/registrar_list.html",
        path=path,
        title=TITLES[path],
        page=page,
        status=status,
        statuses=statuses,
    )


def _form_page(path: str, form, errors=None, status=200):
    return render_template(
        "web/registrar_form.html",
        path=path,
        title=TITLES[path],
        fields=FIELDS[path],
        form=form,
        errors=errors or {},
        options={
            "choice": [(c, c) for c in _choices(path)],
            "agent": choices.object_form(identity())["agents"],
            "locations": choices.locations(identity()),
        },
    ), status


@bp.get("/<path>/new")
@staff_required
def new(path: str):
    _kind(path)
    return _form_page(path, request.args)


def _object_refs(text: str, errors: dict) -> list[dict]:
    """Objects named one per line by number (or, for entries, ``+ title`` for a new one)."""
    refs = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("+"):
            refs.append({"title": line[1:].strip()})
            continue
        found = records.object_id_by_number(identity(), line)
        if found is None:
            errors.setdefault("objects", []).append(_("No object numbered %(n)s.", n=line))
        else:
            refs.append({"id": str(found)})
    return refs


def _body(path: str, form) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    body: dict = {}
    if form.get("number"):
        body["number"] = form["number"]
    for name, type_ in FIELDS[path]:
        if type_ == "agent":
            body[name] = {"id": form[name]} if form.get(name) else None
        elif type_ == "locations":
            body[name] = [{"id": value} for value in form.getlist(name) if value]
        elif form.get(name):
            body[name] = form[name]
    if form.get("notes"):
        body["notes"] = form["notes"]
    if path != "audits":
        body["objects"] = _object_refs(form.get("objects", ""), errors)
    return body, errors


@bp.post("/<path>/new")
@staff_required
def create(path: str):
    kind = _kind(path)
    body, errors = _body(path, request.form)
    if errors:
        return _form_page(path, request.form, errors, 422)
    try:
        record = records.create(identity(), kind.name, records.load_input(kind, body))
    except ValidationFailed as error:
        return _form_page(path, request.form, error.errors, 422)
    except Conflict as error:
        return _form_page(path, request.form, {"objects": [error.detail]}, 409)
    flash(_("%(number)s was saved.", number=record.data["number"]), "success")
    return redirect(url_for("registrar.view", path=path, procedure_id=record.data["id"]))


@bp.get("/<path>/<uuid:procedure_id>")
@staff_required
def view(path: str, procedure_id: uuid.UUID):
    kind = _kind(path)
    record = records.get(identity(), kind.name, procedure_id)
    allowed = records.allowed_now(identity(), kind.name, procedure_id)
    recorded = {item["object"]["id"]: item for item in record.data.get("items") or []}
    return render_template(
        "web/registrar_view.html",
        path=path,
        title=TITLES[path],
        record=record.data,
        etag=record.etag,
        allowed=allowed,
        recorded=recorded,
        locations=choices.locations(identity()) if path == "audits" else [],
    )


@bp.get("/entries/<uuid:procedure_id>/receipt.pdf")
@staff_required
def receipt(procedure_id: uuid.UUID):
    pdf = paperwork.entry_receipt(identity(), procedure_id)
    return Response(pdf, mimetype="application/pdf")


@bp.post("/<path>/<uuid:procedure_id>/transition")
@staff_required
def transition(path: str, procedure_id: uuid.UUID):
    kind = _kind(path)
    args = {
        "to": request.form.get("to", ""),
        "note": request.form.get("note") or None,
        "record_movements": request.form.get("record_movements") == "1",
    }
    try:
        transitions.transition(
            identity(), kind.name, procedure_id, args, request.form.get("etag") or None
        )
        flash(_("The status is now %(status)s.", status=_(args["to"])), "success")
    except (Conflict, PreconditionFailed) as error:
        flash(error.detail, "error")
    return redirect(url_for("registrar.view", path=path, procedure_id=procedure_id))


@bp.post("/audits/<uuid:procedure_id>/item")
@staff_required
def audit_item(procedure_id: uuid.UUID):
    data = {
        "object": request.form.get("object", ""),
        "result": request.form.get("result", ""),
        "location": request.form.get("location") or None,
    }
    try:
        data = {
            "object": uuid.UUID(data["object"]),
            "result": data["result"],
            "location": uuid.UUID(data["location"]) if data["location"] else None,
        }
        if data["result"] not in ("found", "missing", "found-elsewhere"):
            raise ValueError
        if (data["result"] == "found-elsewhere") != (data["location"] is not None):
            raise ValueError
        transitions.record_audit_item(identity(), procedure_id, data)
    except ValueError:
        flash(_("Choose a result (and, for found elsewhere, the location)."), "error")
    except (Conflict, ValidationFailed) as error:
        flash(error.detail, "error")
    anchor = f"#o-{data['object']}" if isinstance(data["object"], uuid.UUID) else ""
    return redirect(url_for("registrar.view", path="audits", procedure_id=procedure_id) + anchor)
