"""Who is calling: resolved once per request from ``Authorization: Bearer``."""

from __future__ import annotations

from flask import Flask, g, request

from catalogue.api import permissions
from catalogue.api.errors import problem
from catalogue.services.accounts import users as accounts
from catalogue.services.identity import ANONYMOUS

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def register(app: Flask) -> None:
    @app.before_request
    def _identify():
        g.identity = ANONYMOUS
        header = request.environ.get("HTTP_AUTHORIZATION")
        if not header:
            if (
                request.method in WRITE_METHODS
                and request.path.startswith("/api/")
                and not permissions.unseen(app, request.endpoint, request.method)
            ):
                # Before the body is read: an anonymous write is a 401 whatever it sends.
                return problem(
                    401,
                    "Authentication required",
                    "Writes need 'Authorization: Bearer <token>' with an API token.",
                )
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return problem(
                401,
                "Authentication required",
                "Use 'Authorization: Bearer <token>' with an API token.",
            )
        found = accounts.identity_for_token(token.strip())
        if found is None:
            return problem(401, "Authentication required", "The API token is unknown or revoked.")
        g.identity = found
        return None
