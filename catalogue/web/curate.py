"""The curators' workspace: dashboard, search, and creating and editing objects."""

from __future__ import annotations

import uuid

from edtf.parser.edtf_exceptions import EDTFParseException
from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from catalogue.schemas.objects import DIMENSION_UNITS, INSCRIPTION_TYPES, edtf_bounds
from catalogue.services.errors import (
    Conflict,
    Gone,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ValidationFailed,
)
from catalogue.services.media import records as media
from catalogue.services.objects import dashboard as overview
from catalogue.services.objects import read as objects_read
from catalogue.services.objects import write as objects_write
from catalogue.services.procedures import biography
from catalogue.services.sets import read as sets_read
from catalogue.web import choices, finder, objectform
from catalogue.web.common import identity, page_blueprint, signed_in, staff_required

bp = page_blueprint("curate", __name__, url_prefix="/curate")

UNITS = sorted({unit for units in DIMENSION_UNITS.values() for unit in units})


@bp.get("/")
@signed_in
def dashboard():
    me = identity()
    recent = objects_read.list_objects(me, {"sort": "-updated", "per_page": 10}).items
    drafts = []
    if me.is_staff:
        drafts = objects_read.list_objects(
            me, {"status": "draft", "sort": "-updated", "per_page": 10}
        )
        drafts = drafts.items
    recent, drafts = [r.data for r in recent], [r.data for r in drafts]
    counts = overview.counts_by_status(me)
    return render_template("web/dashboard.html", recent=recent, drafts=drafts, counts=counts)


@bp.get("/search")
@signed_in
def search():
    fresh = finder.fresh_query(request.args)
    if fresh is not None:
        return redirect(url_for("curate.search", **fresh))
    args = finder.parse_args(request.args)
    results = finder.find(identity(), args)
    my_sets = sets_read.own_sets(identity())
    chips = finder.chips(args, results["facets"])
    page = render_template(
        "web/search.html",
        results=results,
        args=args,
        chips=chips,
        link="curate.view",
        my_sets=my_sets,
    )
    return page, 400 if results["error"] else 200


@bp.get("/objects/<uuid:object_id>")
@signed_in
def view(object_id: uuid.UUID):
    me = identity()
    record = objects_read.get(me, object_id)
    files = media.list_for_object(me, object_id) if me.is_staff else []
    in_sets = sets_read.list_sets(me, {"mine": True, "object": object_id, "per_page": 100})
    steps = biography.biography(me, object_id)["items"] if me.is_staff else []
    return render_template(
        "web/curate_object.html",
        record=record.data,
        etag=record.etag,
        files=files,
        my_sets=sets_read.own_sets(me),
        in_sets=in_sets.items,
        biography=steps,
    )


def _form_page(form, errors=None, record=None, stale=None, status=200):
    return render_template(
        "web/object_form.html",
        form=form,
        errors=errors or {},
        record=record,
        stale=stale or [],
        options=choices.object_form(identity()),
        dimension_types=list(DIMENSION_UNITS),
        units=UNITS,
        inscription_types=INSCRIPTION_TYPES,
        of=objectform,
    ), status


@bp.get("/objects/new")
@staff_required
def new():
    return _form_page(objectform.to_form({"status": "draft"}))


@bp.get("/objects/<uuid:object_id>/edit")
@staff_required
def edit(object_id: uuid.UUID):
    record = objects_read.get(identity(), object_id)
    form = objectform.to_form(record.data)
    form["etag"] = record.etag
    return _form_page(form, record=record.data)


def _object_id_of(number: str) -> str | None:
    try:
        return objects_read.get_by_number(identity(), number).data["id"]
    except (NotFound, Gone):
        return None


@bp.post("/objects/new")
@staff_required
def create():
    return _submit(None)


@bp.post("/objects/<uuid:object_id>/edit")
@staff_required
def update(object_id: uuid.UUID):
    return _submit(object_id)


def _submit(object_id: uuid.UUID | None):
    """Validate and save the form; on any refusal the curator's text is shown back."""
    form = request.form.copy()
    record = objects_read.get(identity(), object_id).data if object_id else None
    payload, rows, errors = objectform.from_form(form, _object_id_of)
    try:
        data = objects_write.load_input(payload)
    except ValidationFailed as error:
        errors = {**objectform.form_errors(error.errors, rows), **errors}
    if errors:
        return _form_page(form, errors, record, status=422)
    try:
        if object_id is None:
            saved = objects_write.create(identity(), data)
        else:
            saved = objects_write.replace(identity(), object_id, data, form.get("etag") or None)
    except ValidationFailed as error:
        return _form_page(form, objectform.form_errors(error.errors, rows), record, status=422)
    except Conflict as error:
        return _form_page(form, {"object_number": [error.detail]}, record, status=409)
    except (PreconditionFailed, PreconditionRequired):
        return _stale(object_id, form)
    flash(_("Saved."))
    return redirect(url_for("curate.view", object_id=saved.data["id"]))


def _stale(object_id: uuid.UUID, form):
    """Someone saved in between: keep the curator's text, show what is saved now."""
    current = objects_read.get(identity(), object_id)
    saved_form = objectform.to_form(current.data)
    labels = {
        key: text for options in choices.object_form(identity()).values() for key, text in options
    }
    stale = [
        (name, [labels.get(value, value) for value in saved_form.getlist(name)])
        for name in objectform.differences(form, saved_form)
    ]
    # The form now carries the current tag: saving again is a deliberate choice to replace.
    form["etag"] = current.etag
    return _form_page(form, record=current.data, stale=stale, status=409)


@bp.post("/objects/<uuid:object_id>/status")
@staff_required
def set_status(object_id: uuid.UUID):
    status = request.form.get("status", "")
    try:
        objects_write.patch(
            identity(), object_id, {"status": status}, request.form.get("etag") or None
        )
    except (PreconditionFailed, PreconditionRequired):
        flash(_("Someone changed this record since you opened it; nothing was changed."), "error")
    except ValidationFailed as error:
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.errors.items())
        flash(_("The status was not changed: %(problems)s", problems=problems), "error")
    else:
        flash(_("Status changed to %(status)s.", status=_(status)))
    return redirect(url_for("curate.view", object_id=object_id))


@bp.get("/edtf")
@signed_in
def edtf():
    """The date range an EDTF expression allows, for the form's live hint."""
    try:
        earliest, latest = edtf_bounds(request.args.get("value", ""))
    except (EDTFParseException, ValueError, TypeError):
        return jsonify({"error": _("Not a valid EDTF date (e.g. 1944, 1943-10/1944-07, 1944~).")})
    return jsonify(
        {
            "earliest": earliest.isoformat() if earliest else None,
            "latest": latest.isoformat() if latest else None,
        }
    )
