"""Absolute URLs for channels that need them (IIIF, OAI-PMH, Linked Art, sitemaps)."""

from __future__ import annotations

from flask import current_app, has_request_context, request


def base_url() -> str:
    """``PUBLIC_BASE_URL`` when set, else the scheme and host the request came to."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return "http://localhost"


def absolute(path: str) -> str:
    return base_url() + path if path.startswith("/") else path
