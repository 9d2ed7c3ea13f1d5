"""Signing in and out of the workspace, and the language switch."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from catalogue.services.accounts import sessions, signin
from catalogue.services.errors import TooManyRequests, Unauthorized
from catalogue.web.common import SESSION_KEY, page_blueprint, safe_next

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
    # A new session on sign-in, so a session planted before cannot be reused.
    key = sessions.start(user, sessions.SessionRules.from_config(current_app.config))
    _restart_session(key)
    return redirect(target)


@bp.post("/logout")
def logout():
    key = session.get(SESSION_KEY)
    if key:
        sessions.end(key)  # on the server: a copy of the cookie opens nothing afterwards
    _restart_session(None)
    return redirect(url_for("public.home"))


def _restart_session(key: str | None) -> None:
    """A cookie with the new session key (or none) that keeps only the chosen language."""
    lang = session.get("lang")
    session.clear()
    if key:
        session.permanent = True
        session[SESSION_KEY] = key
    if lang:
        session["lang"] = lang


@bp.get("/lang/<code>")
def switch_language(code: str):
    if code in current_app.config["WEB_LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next"), url_for("public.home")))
