"""The catalogue's own exceptions; ``api/errors.py`` turns each into a problem+json answer."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    status = 500
    title = "Internal error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(ServiceError):
    status = 404
    title = "Not found"


class Gone(ServiceError):
    status = 410
    title = "Gone"


class Unauthorized(ServiceError):
    status = 401
    title = "Authentication required"


class Forbidden(ServiceError):
    status = 403
    title = "Forbidden"


class Conflict(ServiceError):
    status = 409
    title = "Conflict"


class PreconditionRequired(ServiceError):
    status = 428
    title = "Precondition required"


class PreconditionFailed(ServiceError):
    status = 412
    title = "Precondition failed"


class ValidationFailed(ServiceError):
    """Input that is well-formed but wrong; ``errors`` maps field paths to messages."""

    status = 422
    title = "Validation failed"

    def __init__(self, errors: dict[str, list[str]], detail: str | None = None) -> None:
        super().__init__(detail or "The request has invalid fields.", errors=errors)
        self.errors = errors


class BadRequest(ServiceError):
    status = 400
    title = "Bad request"


class Unavailable(ServiceError):
    status = 503
    title = "Service unavailable"


class UnsupportedMediaType(ServiceError):
    status = 415
    title = "Unsupported media type"


class TooManyRequests(ServiceError):
    status = 429
    title = "Too many requests"
