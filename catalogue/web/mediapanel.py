"""The media panel of the curators' object page: upload, order, describe and remove files.

Plain forms that work without JavaScript; ``web.js`` adds progress bars to uploads. Every
change carries the ETag the curator saw, so a change made in between is refused.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from catalogue.http.files import send
from catalogue.http.uploads import HashingFile
from catalogue.services.errors import (
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    UnsupportedMediaType,
    ValidationFailed,
)
from catalogue.services.media import delivery, uploads
from catalogue.services.media import records as service
from catalogue.web.common import identity, page_blueprint, signed_in, staff_required

bp = page_blueprint("mediapanel", __name__, url_prefix="/curate")


def _back(object_id) -> str:
    return url_for("curate.view", object_id=object_id, _anchor="media")


def _problems(error: ValidationFailed) -> str:
    """The field messages of a refused change, as one line."""
    return "; ".join(f"{name}: {' '.join(map(str, m))}" for name, m in error.errors.items())


@bp.post("/objects/<uuid:object_id>/media")
@staff_required
def upload(object_id: uuid.UUID):
    uploads.check_upload(identity(), object_id)
    parts = [p for p in request.files.getlist("file") if p.filename]
    if not parts:
        flash(_("Choose one or more files to upload."), "error")
    for part in parts:
        if not isinstance(part.stream, HashingFile):
            continue
        part.stream.flush()
        received = uploads.Upload(
            Path(part.stream.name), part.stream.sha256, part.stream.size, part.filename
        )
        try:
            uploads.upload(identity(), object_id, received, request.form)
            flash(_("%(name)s was added.", name=part.filename), "success")
        except (ValidationFailed, UnsupportedMediaType) as error:
            problems = _problems(error) if isinstance(error, ValidationFailed) else error.detail
            message = _(
                "%(name)s was not added: %(problems)s", name=part.filename, problems=problems
            )
            flash(message, "error")
    return redirect(_back(object_id))


@bp.get("/media/<uuid:media_id>/thumbnail")
@signed_in
def thumbnail(media_id: uuid.UUID):
    return send(delivery.derivative(identity(), media_id, "thumbnail"))


def _changes(action: str) -> dict:
    if action == "primary":
        return {"primary": True}
    caption = {lang: request.form.get(f"caption_{lang}", "").strip() for lang in ("fr", "en")}
    caption = {lang: text for lang, text in caption.items() if text}
    changes = {
        "caption": caption or None,
        "rights": request.form.get("rights", "").strip() or None,
        "public": request.form.get("public") == "on",
    }
    if "rights_uri" in request.form:
        changes["rights_uri"] = request.form["rights_uri"].strip() or None
    return changes


@bp.post("/media/<uuid:media_id>")
@staff_required
def change(media_id: uuid.UUID):
    action = request.form.get("action", "save")
    etag = request.form.get("etag") or None
    record = service.get(identity(), media_id)
    object_id = record.data["object_id"]
    try:
        if action == "delete":
            if request.form.get("confirm") != "yes":
                return render_template("web/media_delete.html", media=record.data, etag=etag)
            service.delete(identity(), media_id, etag)
            flash(_("The file was deleted."), "success")
        elif action in ("up", "down"):
            service.move(identity(), media_id, -1 if action == "up" else 1, etag)
        else:
            service.patch(identity(), media_id, _changes(action), etag)
            flash(_("The file was saved."), "success")
    except (PreconditionFailed, PreconditionRequired):
        flash(
            _("Someone changed this file since you opened the page; nothing was changed."), "error"
        )
    except ValidationFailed as error:
        flash(_("Nothing was changed: %(problems)s", problems=_problems(error)), "error")
    except NotFound:
        flash(_("This file no longer exists."), "error")
    return redirect(_back(object_id))
