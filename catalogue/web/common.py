"""Shared by the page blueprints: who is signed in, CSRF, errors shown as pages."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from catalogue.extensions import csrf
from catalogue.services.accounts import sessions
from catalogue.services.errors import ServiceError, Unauthorized
from catalogue.services.identity import ANONYMOUS, Identity

# The cookie's name for the key of the server-side session (services.accounts.sessions).
SESSION_KEY = "session_key"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: https:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def identity() -> Identity:
    """The signed-in user of this browser session, or anonymous."""
    return g.get("web_identity", ANONYMOUS)


def _load_identity() -> None:
    key = session.get(SESSION_KEY)
    rules = sessions.SessionRules.from_config(current_app.config)
    found = sessions.resolve(key, rules) if isinstance(key, str) else None
    if key and found is None:
        session.pop(SESSION_KEY)  # signed out, expired or ended on the server since
    g.web_identity = found or ANONYMOUS


def safe_next(target: str | None, default: str) -> str:
    """Only paths on this site are followed after signing in or switching language."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def page_blueprint(name: str, import_name: str, **kwargs) -> Blueprint:
    """A blueprint whose requests know the session user, check CSRF and show errors as pages."""
    bp = Blueprint(name, import_name, **kwargs)

    @bp.before_request
    def _prepare():
        _load_identity()
        csrf.protect()

    @bp.after_request
    def _protect_page(response):
        # Pages load only this site's own scripts and styles, and are never framed.
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if g.get("web_identity", ANONYMOUS).authenticated:
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response

    @bp.errorhandler(CSRFError)
    def _csrf_error(error):
        message = _("This form has expired or did not come from this site. Reload the page.")
        return render_template("web/error.html", status=400, message=message), 400

    @bp.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        return render_template("web/error.html", status=status, message=error.description), status

    @bp.errorhandler(ServiceError)
    def _service_error(error: ServiceError):
        if isinstance(error, Unauthorized):
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return render_template("web/error.html", status=error.status, message=error.detail), (
            error.status
        )

    return bp


def staff_required(view):
    """Only curators and admins; others are sent to sign in or told they may not."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        identity().require_staff()
        return view(*args, **kwargs)

    return wrapper


def signed_in(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        identity().require_authenticated()
        return view(*args, **kwargs)

    return wrapper
