"""Rate limits of the JSON API: per address for anonymous callers, per token for the others.

Each request under ``/api/`` counts against one budget: the caller's API token (a higher
limit for curators' and admins' tokens), or else the client's address. Past it the answer is
a 429 problem with ``Retry-After``. The check runs once the token is resolved and before the
permission check. Counts live in ``RATELIMIT_STORAGE_URI``: the catalogue database by default
(``database://``), so every worker and host shares them, or Redis (``redis://host:6379``).
If the storage fails, requests go through (and the failure is logged): a limit is not worth
refusing every caller. Signing in to the pages has its own throttle (``services.accounts.signin``).
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from flask import Flask, current_app, g, request
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from catalogue.api.errors import problem
from catalogue.api.http import identity
from catalogue.services.accounts import request_counts

log = logging.getLogger(__name__)
LIMITED_PATHS = "/api/"
# Importing the storage registers its scheme with ``limits``.
DATABASE_STORAGE = f"{request_counts.DatabaseStorage.STORAGE_SCHEME[0]}://"


class RateLimits:
    """The app's limiter: its storage and the parsed limits of each kind of caller."""

    def __init__(self, config) -> None:
        self.storage = storage_from_string(config["RATELIMIT_STORAGE_URI"], wrap_exceptions=True)
        self.limiter = FixedWindowRateLimiter(self.storage)
        self.anonymous = parse_many(config["RATELIMIT_ANONYMOUS"])
        self.token = parse_many(config["RATELIMIT_TOKEN"])
        self.staff = parse_many(config["RATELIMIT_STAFF"])

    def budget(self) -> tuple[list[RateLimitItem], tuple[str, ...]]:
        """The limits that apply to this request, and whose count it adds to."""
        caller = identity()
        if not caller.authenticated:
            return self.anonymous, ("anonymous", request.remote_addr or "unknown")
        token = request.environ["HTTP_AUTHORIZATION"].partition(" ")[2].strip()
        # A digest of the token: the storage never holds anything that opens the API.
        digest = hashlib.sha256(token.encode()).hexdigest()[:32]
        return (self.staff if caller.is_staff else self.token), ("token", digest)

    def exceeded(self) -> RateLimitItem | None:
        """Count this request; the limit it goes over, if any."""
        items, who = self.budget()
        for item in items:
            if not self.limiter.hit(item, *who):
                g.rate_limited_as = who
                return item
        return None


def register(app: Flask) -> None:
    """Count API requests; call once the caller is identified, before permissions."""
    if not app.config["RATELIMIT_ENABLED"]:
        return
    app.extensions["rate_limits"] = RateLimits(app.config)

    @app.before_request
    def _count_request():
        if not request.path.startswith(LIMITED_PATHS):
            return None
        limits: RateLimits = current_app.extensions["rate_limits"]
        try:
            item = limits.exceeded()
            if item is None:
                return None
            reset = limits.limiter.get_window_stats(item, *g.rate_limited_as).reset_time
        except StorageError:
            log.warning("rate limit storage failed; request let through", exc_info=True)
            return None
        seconds = max(1, math.ceil(reset - time.time()))
        response = problem(
            429,
            "Too many requests",
            f"This caller may make {item.amount} requests per {item.get_expiry()} seconds; "
            f"try again in {seconds} seconds.",
            retry_after=seconds,
        )
        response.headers["Retry-After"] = str(seconds)
        return response
