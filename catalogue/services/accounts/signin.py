"""Signing in to the web pages with email and password, with repeated failures slowed down.

Failures are counted per email and client address in the database, so every server
process applies the same waits.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from catalogue.extensions import db
from catalogue.models import SignInThrottle, User
from catalogue.models.base import utcnow
from catalogue.services import uow
from catalogue.services.accounts import users as accounts
from catalogue.services.errors import TooManyRequests, Unauthorized


@dataclass(frozen=True)
class ThrottleRules:
    """Failures allowed free, the first wait (doubling after), and the longest wait."""

    free_failures: int = 5
    block_seconds: int = 30
    max_block_seconds: int = 900

    @classmethod
    def from_config(cls, config) -> ThrottleRules:
        return cls(
            config["SIGN_IN_FREE_FAILURES"],
            config["SIGN_IN_BLOCK_SECONDS"],
            config["SIGN_IN_MAX_BLOCK_SECONDS"],
        )

    def wait_after(self, failures: int) -> int:
        if failures < self.free_failures:
            return 0
        extra = min(failures - self.free_failures, 20)
        return min(self.block_seconds * 2**extra, self.max_block_seconds)


def _key(email: str, address: str) -> str:
    return hashlib.sha256(f"{email.strip().lower()}|{address}".encode()).hexdigest()


def sign_in(email: str, password: str, address: str, rules: ThrottleRules) -> User:
    """The user with this email and password; ``Unauthorized`` if wrong, and
    ``TooManyRequests`` (with ``retry_after`` seconds) while failures from this address
    for this email must wait, even when the password is right."""
    key = _key(email, address)
    now = utcnow()
    row = db.session.get(SignInThrottle, key)
    if row is not None and row.blocked_until is not None and row.blocked_until > now:
        seconds = math.ceil((row.blocked_until - now).total_seconds())
        raise TooManyRequests(
            f"Too many failed sign-ins. Try again in {seconds} seconds.", retry_after=seconds
        )
    # PostgreSQL text cannot hold NUL, and no email or password of ours contains one.
    clean = "\x00" not in email and "\x00" not in password
    user = accounts.verify_password(email, password) if clean else None
    if user is not None:
        if row is not None:
            db.session.delete(row)
            uow.commit()
        return user
    _count_failure(key, rules)
    raise Unauthorized("Wrong email or password.")


def _count_failure(key: str, rules: ThrottleRules) -> None:
    for _attempt in range(2):
        now = utcnow()
        row = db.session.get(SignInThrottle, key, with_for_update=True)
        quiet = timedelta(seconds=rules.max_block_seconds)
        if row is None:
            row = SignInThrottle(key=key, failures=0, last_failure_at=now)
            db.session.add(row)
        elif now - row.last_failure_at > quiet:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        wait = rules.wait_after(row.failures)
        row.blocked_until = now + timedelta(seconds=wait) if wait else None
        try:
            uow.commit()
            return
        except IntegrityError:
            # Another process counted a first failure for the same key at the same moment.
            db.session.rollback()
