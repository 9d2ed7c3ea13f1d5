"""Admins manage the people who may sign in: create, change role, set a password, deactivate.

A new password and a deactivation end every session of that person (signed out everywhere).
"""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from catalogue.models import Role
from catalogue.services.accounts import users as accounts
from catalogue.services.errors import Conflict, ValidationFailed
from catalogue.web.common import identity, page_blueprint

bp = page_blueprint("admin", __name__, url_prefix="/curate/users")


def _page(errors=None, form=None, status=200):
    users = accounts.list_users(identity())
    return render_template(
        "web/users.html", users=users, roles=list(Role), errors=errors or {}, form=form or {}
    ), status


@bp.get("/")
def users():
    return _page()


@bp.post("/")
def create_user():
    form = request.form
    try:
        accounts.create_user(
            identity(),
            form.get("email", ""),
            form.get("role", ""),
            password=form.get("password") or None,
            name=form.get("name") or None,
        )
    except ValidationFailed as error:
        return _page(error.errors, form, 422)
    except Conflict as error:
        return _page({"email": [error.detail]}, form, 409)
    flash(_("User created."))
    return redirect(url_for("admin.users"))


@bp.post("/<uuid:user_id>")
def update_user(user_id: uuid.UUID):
    form = request.form
    active = {"1": True, "0": False}.get(form.get("active", ""))
    try:
        accounts.update_user(identity(), user_id, role=form.get("role") or None, active=active)
    except (Conflict, ValidationFailed) as error:
        flash(error.detail, "error")
    else:
        flash(_("User updated."))
    return redirect(url_for("admin.users"))


@bp.post("/<uuid:user_id>/password")
def set_password(user_id: uuid.UUID):
    try:
        user = accounts.set_password(identity(), user_id, request.form.get("password", ""))
    except ValidationFailed as error:
        flash(" ".join(error.errors.get("password", [error.detail])), "error")
    else:
        flash(_("Password changed for %(email)s; their sessions have ended.", email=user.email))
    return redirect(url_for("admin.users"))
