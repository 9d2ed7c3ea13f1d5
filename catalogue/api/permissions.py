"""Who may call a view, checked as the request arrives, before anything reads its body.

flask-smorest parses and validates a view's arguments before the view runs, and the request
hooks read the body before that (type, depth, size), so a permission check made only in the
service came after a 422, 415 or 413. A view states what it needs with ``staff_only`` or
``signed_in``; the hook ``register`` installs checks it right after the caller is identified:
an anonymous caller gets 401 and a researcher 403 whatever they send. The services check
again, for the pages and the commands that call them.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request

from catalogue.api.http import identity
from catalogue.services.errors import NotFound
from catalogue.services.identity import Identity

REQUIRES = "_catalogue_requires"
_NOBODY_CHECKED = object()


def _requiring(check: Callable[[Identity], None]):
    def decorate(view):
        setattr(view, REQUIRES, check)
        return view

    return decorate


#: The view is for curators and admins (401 for anonymous callers, 403 for researchers).
staff_only = _requiring(Identity.require_staff)
#: The view is for signed-in callers of any role (401 for anonymous callers).
signed_in = _requiring(Identity.require_authenticated)


def _require_staff_unseen(identity: Identity) -> None:
    if not identity.is_staff:
        raise NotFound("Nothing here.")


#: The view is for curators and admins, and does not exist for anyone else: 404 for
#: anonymous callers and researchers (procedures: nothing tells them one exists).
staff_unseen = _requiring(_require_staff_unseen)


def requirement(app: Flask, endpoint: str, method: str):
    """The check the view of ``endpoint`` states for ``method``, or None."""
    view = app.view_functions.get(endpoint)
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        name = method.lower()
        view = getattr(view_class, name, None) or (
            getattr(view_class, "get", None) if name == "head" else None
        )
    return getattr(view, REQUIRES, None)


def unseen(app: Flask, endpoint: str | None, method: str) -> bool:
    """The endpoint does not exist for anyone but staff (``staff_unseen``): its 404 comes
    first, even before an anonymous write's 401."""
    return endpoint is not None and requirement(app, endpoint, method) is _require_staff_unseen


def register(app: Flask) -> None:
    """Check each request's stated requirement; call right after the caller is identified."""
    known: dict[tuple[str, str], object] = {}

    @app.before_request
    def _check_permission():
        endpoint = request.endpoint
        if endpoint is None:
            return  # no such route: the 404 or 405 follows
        key = (endpoint, request.method)
        check = known.get(key, _NOBODY_CHECKED)
        if check is _NOBODY_CHECKED:
            check = known[key] = requirement(current_app, endpoint, request.method)
        if check is not None:
            check(identity())
