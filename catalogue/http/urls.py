"""Absolute links (IIIF, OAI-PMH, Linked Art, sitemaps, list pages, permanent URLs).

With ``PUBLIC_BASE_URL`` set, every node writes the same links whatever Host a request
carried: a forged Host header never reaches a link. Without it (the embedded default, a
development server) links take the scheme and host the request came to.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request


def base_url() -> str:
    """``PUBLIC_BASE_URL`` when set, else the scheme, host and mount point of the request."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    return "http://localhost"


def absolute(path: str) -> str:
    """``path`` (one of the app's, from ``/``) as an absolute URL."""
    return base_url() + path if path.startswith("/") else path


def request_url() -> str:
    """This request's URL without its query, under the base URL."""
    return base_url() + request.path
