"""Every error as application/problem+json (RFC 9457): service errors, HTTP errors, crashes."""

from __future__ import annotations

import json
import logging

from flask import Flask, Response
from werkzeug.exceptions import HTTPException, InternalServerError

from catalogue.schemas.common import Problem
from catalogue.schemas.common import flatten_messages as flatten
from catalogue.services import uow
from catalogue.services.errors import ServiceError

log = logging.getLogger(__name__)

PROBLEM_TYPES = "https://catalogue.example.org/problems/"


def problem(status: int, title: str, detail: str | None = None, **extra) -> Response:
    body = {
        "type": PROBLEM_TYPES + title.lower().replace(" ", "-"),
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body.update({k: v for k, v in extra.items() if v is not None})
    text = json.dumps(body, ensure_ascii=False, default=str)
    try:
        payload = text.encode()
    except UnicodeEncodeError:
        # A field name with a lone surrogate, echoed in `errors`: escape it, stay valid JSON.
        payload = json.dumps(body, default=str).encode()
    response = Response(
        payload,
        status=status,
        mimetype="application/problem+json",
    )
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="catalogue"'
    return response


def from_service_error(error: ServiceError) -> Response:
    response = problem(error.status, error.title, error.detail, **error.extra)
    if "retry_after" in error.extra:
        response.headers["Retry-After"] = str(error.extra["retry_after"])
    return response


def from_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    title = error.name
    detail = error.description
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if status == 422 and messages:
        errors: dict[str, list[str]] = {}
        for _location, fields in messages.items():
            errors.update(flatten(fields))
        return problem(422, "Validation failed", "The request has invalid fields.", errors=errors)
    if status == 400 and messages:
        reasons = [m for msgs in flatten(messages).values() for m in msgs]
        detail = " ".join(reasons) or detail
    if status == 413:
        detail = "The request body is larger than this endpoint accepts."
    response = problem(status, title, detail)
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def register(app: Flask) -> None:
    app.register_error_handler(ServiceError, from_service_error)
    app.register_error_handler(HTTPException, from_http_exception)

    @app.errorhandler(Exception)
    def _crash(error: Exception):
        if isinstance(error, HTTPException):
            return from_http_exception(error)
        # A statement before the commit lost a race with another writer: answered as the
        # unit of work answers one at the commit, by the handler of the request's channel.
        failure = uow.concurrency_failure(error)
        if failure is not None:
            return app.handle_user_exception(failure)
        log.exception("unhandled error")
        return from_http_exception(InternalServerError())


def documented(blp, *codes: int):
    """Declare, in the OpenAPI document, the problem answers a view may give."""

    def decorate(view):
        for code in codes:
            view = blp.alt_response(code, schema=Problem, description="A problem (RFC 9457).")(view)
        return view

    return decorate
