"""Managing vocabularies and authorities: terms, agents, places, collections, locations."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from catalogue.models import AgentKind, LocationKind, Vocabulary
from catalogue.schemas.authorities import AUTHORITY_INPUT
from catalogue.schemas.common import CONTROL, flatten_messages
from catalogue.services.authorities import records as authorities
from catalogue.services.errors import (
    Conflict,
    PreconditionFailed,
    PreconditionRequired,
    ValidationFailed,
)
from catalogue.web import choices
from catalogue.web.common import identity, page_blueprint, staff_required

bp = page_blueprint("vocabularies", __name__, url_prefix="/curate/vocabularies")

KINDS = tuple(authorities.KINDS)


def _kind(kind: str) -> str:
    if kind not in KINDS:
        abort(404)
    return kind


def _input(kind: str, form) -> dict:
    """API input for an authority from its form fields."""
    data: dict = {
        "label": {lang: form.get(f"label.{lang}", "") for lang in ("fr", "en")},
        "uri": form.get("uri") or None,
    }
    if kind == "terms":
        data["vocabulary"] = form.get("vocabulary") or None
    if kind in ("agents", "locations"):
        data["kind"] = form.get("kind") or None
    if kind == "agents":
        data["dates"] = form.get("dates") or None
    if kind == "locations":
        data["parent"] = {"id": form["parent"]} if form.get("parent") else None
    if kind == "places" and (form.get("latitude") or form.get("longitude")):
        data["latitude"] = form.get("latitude") or None
        data["longitude"] = form.get("longitude") or None
    data = {k: v for k, v in data.items() if v is not None or k in ("uri", "parent")}
    try:
        return AUTHORITY_INPUT[kind]().load(data)
    except ValidationError as error:
        raise ValidationFailed(flatten_messages(error.messages)) from error


def _page(kind, errors=None, form=None, item=None, status=200):
    me = identity()
    q = CONTROL.sub("", request.args.get("q", ""))[:200]
    items = authorities.list_items(me, kind, {"q": q, "per_page": 200}).items
    return render_template(
        "web/vocabularies.html",
        kind=kind,
        kinds=KINDS,
        items=items,
        q=q,
        item=item,
        errors=errors or {},
        form=form or {},
        vocabularies=list(Vocabulary),
        agent_kinds=list(AgentKind),
        location_kinds=list(LocationKind),
        locations=choices.locations(me) if kind == "locations" else [],
    ), status


@bp.get("/<kind>")
@staff_required
def index(kind: str):
    return _page(_kind(kind))


@bp.post("/<kind>")
@staff_required
def create(kind: str):
    kind = _kind(kind)
    try:
        authorities.create(identity(), kind, _input(kind, request.form))
    except ValidationFailed as error:
        return _page(kind, error.errors, request.form, status=422)
    flash(_("Added."))
    return redirect(url_for("vocabularies.index", kind=kind))


@bp.get("/<kind>/<uuid:item_id>")
@staff_required
def edit(kind: str, item_id: uuid.UUID):
    kind = _kind(kind)
    record = authorities.get(identity(), kind, item_id)
    return _page(kind, item={**record.data, "etag": record.etag})


@bp.post("/<kind>/<uuid:item_id>")
@staff_required
def update(kind: str, item_id: uuid.UUID):
    kind = _kind(kind)
    etag = request.form.get("etag") or None
    try:
        authorities.replace(identity(), kind, item_id, _input(kind, request.form), etag)
    except ValidationFailed as error:
        record = authorities.get(identity(), kind, item_id)
        item = {**record.data, "etag": etag}
        return _page(kind, error.errors, request.form, item=item, status=422)
    except (PreconditionFailed, PreconditionRequired):
        flash(_("Someone changed this entry since you opened it; nothing was changed."), "error")
        return redirect(url_for("vocabularies.edit", kind=kind, item_id=item_id))
    flash(_("Saved."))
    return redirect(url_for("vocabularies.index", kind=kind))


@bp.post("/<kind>/<uuid:item_id>/delete")
@staff_required
def delete(kind: str, item_id: uuid.UUID):
    kind = _kind(kind)
    try:
        authorities.delete(identity(), kind, item_id, request.form.get("etag") or None)
    except (Conflict, PreconditionFailed, PreconditionRequired) as error:
        flash(error.detail, "error")
        return redirect(url_for("vocabularies.edit", kind=kind, item_id=item_id))
    flash(_("Deleted."))
    return redirect(url_for("vocabularies.index", kind=kind))
