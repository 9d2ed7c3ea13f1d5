"""Signing in and out of the workspace, and the language switch."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from catalogue.services.accounts import signin
from catalogue.services.errors import TooManyRequests, Unauthorized
from catalogue.web.common import page_blueprint, safe_next

bp = page_blueprint("auth", __name__)


@bp.get("/login")
def login():
    return render_template("web/login.html", email="", next=request.args.get("next", ""))


@bp.post("/login")
def login_post():
    email = request.form.get("email", "")
    target = safe_next(request.form.get("next"), url_for("curate.dashboard"))
    rules = signin.ThrottleRules.from_config(current_app.config)
    try:
        user = signin.sign_in(email, request.form.get("password", ""), request.remote_addr, rules)
    except TooManyRequests as error:
        message = _(
            "Too many failed sign-ins. Try again in %(seconds)s seconds.",
            seconds=error.extra["retry_after"],
        )
        response = render_template("web/login.html", email=email, next=target, error=message)
        return response, 429, {"Retry-After": str(error.extra["retry_after"])}
    except Unauthorized:
        message = _("Wrong email or password.")
        return render_template("web/login.html", email=email, next=target, error=message), 401
    # A new session on sign-in, so a session id planted before cannot be reused.
    lang = session.get("lang")
    session.clear()
    session.permanent = True
    session["user_id"] = str(user.id)
    if lang:
        session["lang"] = lang
    return redirect(target)


@bp.post("/logout")
def logout():
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("public.home"))


@bp.get("/lang/<code>")
def switch_language(code: str):
    if code in current_app.config["WEB_LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next"), url_for("public.home")))
