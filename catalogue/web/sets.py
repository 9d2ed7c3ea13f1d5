"""Sets in the pages: the public sets, and each signed-in user's sets.

``/sets`` and ``/sets/{id}`` show public sets to everyone (the public view of their
members). ``/my/sets`` is where a signed-in user keeps sets: create them, add objects from
the search results or an object's page (one, several, or every result), reorder members
(up and down buttons, no script needed), write notes, share and publish. Every form carries
the set's ETag, so a change made meanwhile elsewhere is reported, never overwritten.
"""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from catalogue.http.urls import absolute
from catalogue.services.errors import (
    BadRequest,
    PreconditionFailed,
    PreconditionRequired,
    ValidationFailed,
)
from catalogue.services.identity import ANONYMOUS
from catalogue.services.sets import access, read, versions, write
from catalogue.web import finder
from catalogue.web.common import identity, page_blueprint, safe_next, signed_in

bp = page_blueprint("sets_pages", __name__)

STALE = (PreconditionFailed, PreconditionRequired)


# ---- public --------------------------------------------------------------------------------


@bp.get("/sets")
def public_sets():
    page = read.list_sets(ANONYMOUS, {"visibility": "public", "per_page": 100})
    return render_template("web/sets_public.html", sets=page.items)


@bp.get("/sets/<uuid:set_id>")
def public_set(set_id: uuid.UUID):
    object_set = read.get(ANONYMOUS, set_id).data
    members = read.all_members(ANONYMOUS, set_id)
    permanent = absolute(f"/sets/{set_id}")
    return render_template(
        "web/set_public.html", object_set=object_set, members=members, permanent=permanent
    )


# ---- a signed-in user's sets ----------------------------------------------------------------


def _texts(prefix: str) -> dict:
    return {
        lang: request.form.get(f"{prefix}_{lang}", "").strip()
        for lang in ("fr", "en")
        if request.form.get(f"{prefix}_{lang}", "").strip()
    }


def _details() -> dict:
    return {
        "title": _texts("title"),
        "description": _texts("description") or None,
        "visibility": request.form.get("visibility", "private"),
    }


def _problem(error: ValidationFailed) -> str:
    return "; ".join(f"{path}: {' '.join(messages)}" for path, messages in error.errors.items())


@bp.get("/my/sets")
@signed_in
def my_sets():
    me = identity()
    mine = read.list_sets(me, {"mine": True, "per_page": 100}).items
    shared = [
        s
        for s in read.list_sets(me, {"visibility": "shared", "per_page": 100}).items
        if s["owner"]["id"] != str(me.user_id)
    ]
    return render_template("web/sets_mine.html", mine=mine, shared=shared, form={})


@bp.post("/my/sets")
@signed_in
def create():
    try:
        data = write.load_input(_details())
        object_set = write.create(identity(), data)
    except ValidationFailed as error:
        flash(_("The set was not created: %(reason)s", reason=_problem(error)), "error")
        return redirect(url_for("sets_pages.my_sets"))
    flash(_("Set created."), "success")
    return redirect(url_for("sets_pages.my_set", set_id=object_set.id))


@bp.get("/my/sets/<uuid:set_id>")
@signed_in
def my_set(set_id: uuid.UUID):
    me = identity()
    record = read.get(me, set_id)
    object_set = access.get_readable(me, set_id)
    return render_template(
        "web/set_mine.html",
        object_set=record.data,
        etag=record.etag,
        members=read.all_members(me, set_id),
        editable=access.can_edit(me, object_set),
        history=versions.list_versions(me, set_id, {"per_page": 100}).items,
    )


def _write(set_id: uuid.UUID, change, done: str):
    """Run a change of the set with the form's ETag; report what went wrong, if anything."""
    try:
        change(request.form.get("etag") or None)
    except STALE:
        flash(_("The set changed since this page was loaded. Check it and try again."), "error")
    except ValidationFailed as error:
        flash(_("Nothing was changed: %(reason)s", reason=_problem(error)), "error")
    else:
        flash(done, "success")
    return redirect(url_for("sets_pages.my_set", set_id=set_id))


@bp.post("/my/sets/<uuid:set_id>")
@signed_in
def update(set_id: uuid.UUID):
    def change(etag):
        write.replace(identity(), set_id, write.load_input(_details()), etag)

    return _write(set_id, change, _("Set saved."))


@bp.post("/my/sets/<uuid:set_id>/delete")
@signed_in
def delete(set_id: uuid.UUID):
    try:
        write.delete(identity(), set_id, request.form.get("etag") or None)
    except STALE:
        flash(_("The set changed since this page was loaded. Check it and try again."), "error")
        return redirect(url_for("sets_pages.my_set", set_id=set_id))
    flash(_("Set deleted."), "success")
    return redirect(url_for("sets_pages.my_sets"))


@bp.post("/my/sets/<uuid:set_id>/versions/<int:number>/restore")
@signed_in
def restore(set_id: uuid.UUID, number: int):
    def change(etag):
        versions.restore(identity(), set_id, number, etag)

    return _write(set_id, change, _("Version %(n)s restored.", n=number))


@bp.post("/my/sets/<uuid:set_id>/members/<uuid:object_id>/move")
@signed_in
def move(set_id: uuid.UUID, object_id: uuid.UUID):
    """Move one member up or down one place (among the members the user sees)."""
    me = identity()
    order = [uuid.UUID(m["id"]) for m in read.all_members(me, set_id)]
    if object_id in order:
        i = order.index(object_id)
        j = i - 1 if request.form.get("direction") == "up" else i + 1
        if 0 <= j < len(order):
            order[i], order[j] = order[j], order[i]

    def change(etag):
        write.reorder(me, set_id, [{"id": o} for o in order], etag)

    return _write(set_id, change, _("Order saved."))


@bp.post("/my/sets/<uuid:set_id>/order")
@signed_in
def order(set_id: uuid.UUID):
    """Reorder by the position numbers typed in (ties keep their current order)."""
    me = identity()
    members = [uuid.UUID(m["id"]) for m in read.all_members(me, set_id)]

    def place(item):
        index, object_id = item
        try:
            return (float(request.form.get(f"position-{object_id}", index + 1)), index)
        except ValueError:
            return (index + 1, index)

    ordered = [object_id for _, object_id in sorted(enumerate(members), key=place)]

    def change(etag):
        write.reorder(me, set_id, [{"id": o} for o in ordered], etag)

    return _write(set_id, change, _("Order saved."))


@bp.post("/my/sets/<uuid:set_id>/members/<uuid:object_id>/note")
@signed_in
def note(set_id: uuid.UUID, object_id: uuid.UUID):
    def change(etag):
        text = request.form.get("note", "").strip() or None
        write.set_note(identity(), set_id, object_id, text, etag)

    return _write(set_id, change, _("Note saved."))


@bp.post("/my/sets/<uuid:set_id>/members/<uuid:object_id>/remove")
@signed_in
def remove(set_id: uuid.UUID, object_id: uuid.UUID):
    def change(etag):
        write.remove_member(identity(), set_id, object_id, etag)

    return _write(set_id, change, _("Removed from the set."))


def _back() -> str:
    return safe_next(request.form.get("next"), url_for("sets_pages.my_sets"))


@bp.post("/my/sets/add")
@signed_in
def add():
    """From the search results or an object's page: the objects ticked, or every result of
    the search, into one of the user's sets (or a new one, named in the form)."""
    me = identity()
    if request.form.get("all"):
        args = finder.parse_args(request.form)
        filters = {name: str(args[name]) for name in finder.FILTERS if args.get(name)}
        if args.get("status"):
            filters["status"] = args["status"]
        body = {"query": args["q"], "filters": filters}
    else:
        ids = request.form.getlist("object_id")
        try:
            body = {"objects": [{"id": uuid.UUID(i)} for i in ids]}
        except ValueError as error:
            raise BadRequest(_("That is not an object of the catalogue.")) from error
        if not ids:
            flash(_("Tick the objects to add first."), "error")
            return redirect(_back())
    try:
        target = request.form.get("set_id") or ""
        if target == "new":
            title = request.form.get("new_title", "").strip() or _("New set")
            data = write.load_input({"title": title, "visibility": "private"})
            set_id = write.create(me, data).id
        else:
            try:
                set_id = uuid.UUID(target)
            except ValueError as error:
                raise BadRequest(_("Choose a set.")) from error
        write.add_members(me, set_id, body)
    except ValidationFailed as error:
        flash(_("Nothing was added: %(reason)s", reason=_problem(error)), "error")
        return redirect(_back())
    flash(_("Added to the set."), "success")
    return redirect(url_for("sets_pages.my_set", set_id=set_id))
