"""Entity tags: a strong validator of a representation, and the If-Match rule for writes."""

from __future__ import annotations

from collections.abc import Collection

from catalogue.services.errors import PreconditionFailed, PreconditionRequired

# Passed as ``if_match`` by trusted batch callers (importer, restore) that write regardless.
ANY = "*"


def check_precondition(current: str, if_match: str | Collection[str] | None) -> None:
    """Refuse a write unless the caller read the current state (RFC 9110 If-Match)."""
    if if_match is None or (not isinstance(if_match, str) and not if_match):
        raise PreconditionRequired(
            "Send If-Match with the ETag you last read, so no one else's change is overwritten."
        )
    tags = {if_match} if isinstance(if_match, str) else set(if_match)
    if ANY in tags:
        return
    normalised = {tag if tag.startswith('"') else f'"{tag}"' for tag in tags}
    if current not in normalised:
        raise PreconditionFailed(
            "The record changed since you read it. Read it again, re-apply your change and retry.",
            current_etag=current,
        )
