"""An object's history in the workspace: versions, differences, restore; movements and
condition checks."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from catalogue.schemas.common import flatten_messages
from catalogue.schemas.objects import ConditionCheckIn, MovementIn
from catalogue.services.errors import PreconditionFailed, PreconditionRequired, ValidationFailed
from catalogue.services.objects import locations
from catalogue.services.objects import read as objects_read
from catalogue.services.objects import versions as object_versions
from catalogue.web import choices
from catalogue.web.common import identity, page_blueprint, signed_in, staff_required
from catalogue.web.rendering import pick

bp = page_blueprint("history", __name__, url_prefix="/curate/objects/<uuid:object_id>")

META = {"version", "created_at", "updated_at", "links", "media"}


def flatten(value, path: str = "") -> dict[str, str]:
    """A record as ``{field path: shown text}``; references show their label."""
    if isinstance(value, dict) and "id" in value and "label" in value:
        return {path: pick(value["label"])}
    if isinstance(value, dict):
        result: dict[str, str] = {}
        for key, item in value.items():
            if not path and key in META:
                continue
            result.update(flatten(item, f"{path}.{key}" if path else key))
        return result
    if isinstance(value, list):
        result = {}
        for i, item in enumerate(value):
            result.update(flatten(item, f"{path}.{i}"))
        return result
    return {path: "" if value is None else str(value)}


@bp.get("/history")
@signed_in
def versions(object_id: uuid.UUID):
    page = object_versions.list_versions(identity(), object_id, {"per_page": 100})
    record = objects_read.get(identity(), object_id)
    return render_template(
        "web/history.html", versions=page.items, record=record.data, etag=record.etag
    )


@bp.get("/history/diff")
@signed_in
def diff(object_id: uuid.UUID):
    try:
        a, b = int(request.args["a"]), int(request.args["b"])
    except (KeyError, ValueError):
        a = b = 0
    if a < 1 or b < 1:
        flash(_("Choose two versions to compare."), "error")
        return redirect(url_for("history.versions", object_id=object_id))
    old = flatten(object_versions.get_version(identity(), object_id, a)["record"])
    new = flatten(object_versions.get_version(identity(), object_id, b)["record"])
    rows = [(k, old.get(k, ""), new.get(k, "")) for k in sorted(old.keys() | new.keys())]
    rows = [row for row in rows if row[1] != row[2]]
    record = objects_read.get(identity(), object_id).data
    return render_template("web/diff.html", rows=rows, a=a, b=b, record=record)


@bp.post("/history/<int:number>/restore")
@staff_required
def restore(object_id: uuid.UUID, number: int):
    try:
        object_versions.restore(identity(), object_id, number, request.form.get("etag") or None)
    except (PreconditionFailed, PreconditionRequired):
        flash(_("Someone changed this record since you opened it; nothing was restored."), "error")
        return redirect(url_for("history.versions", object_id=object_id))
    flash(_("Version %(number)s restored as a new version.", number=number))
    return redirect(url_for("curate.view", object_id=object_id))


def _load(schema, data: dict) -> dict:
    try:
        return schema().load(data)
    except ValidationError as error:
        raise ValidationFailed(flatten_messages(error.messages)) from error


def _movements_page(object_id, errors=None, form=None, status=200):
    me = identity()
    return render_template(
        "web/movements.html",
        record=objects_read.get(me, object_id).data,
        movements=locations.list_movements(me, object_id, {"per_page": 100}).items,
        checks=locations.list_condition_checks(me, object_id, {"per_page": 100}).items,
        locations=choices.locations(me),
        errors=errors or {},
        form=form or {},
    ), status


@bp.get("/movements")
@staff_required
def movements(object_id: uuid.UUID):
    return _movements_page(object_id)


@bp.post("/movements")
@staff_required
def record_movement(object_id: uuid.UUID):
    form = request.form
    data = {"reason": form.get("reason") or None, "moved_at": form.get("moved_at") or None}
    if form.get("to_location"):
        data["to_location"] = {"id": form["to_location"]}
    try:
        locations.record_movement(identity(), object_id, _load(MovementIn, data))
    except ValidationFailed as error:
        return _movements_page(object_id, error.errors, form, 422)
    flash(_("Movement recorded."))
    return redirect(url_for("history.movements", object_id=object_id))


@bp.post("/condition-checks")
@staff_required
def record_condition_check(object_id: uuid.UUID):
    form = request.form
    data = {
        "condition": form.get("condition") or None,
        "checked_at": form.get("checked_at") or None,
        "notes": form.get("notes") or None,
    }
    if data["condition"] is None:
        data.pop("condition")
    try:
        locations.record_condition_check(identity(), object_id, _load(ConditionCheckIn, data))
    except ValidationFailed as error:
        return _movements_page(object_id, error.errors, form, 422)
    flash(_("Condition check recorded."))
    return redirect(url_for("history.movements", object_id=object_id))
