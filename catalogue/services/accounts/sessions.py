"""Browser sessions of the pages, kept in the database so that ending one holds everywhere.

Signing in stores a new session and gives its random key to the cookie; only the key's
SHA-256 is stored. Every page request looks the key up, so once a session is deleted (signing
out, a new password, deactivation) a copy of the cookie opens nothing, in any server process
on any host. A session also ends after ``idle_seconds`` without a request and
``max_seconds`` after signing in, whatever its use.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import Role, User, WebSession
from catalogue.models.base import utcnow
from catalogue.services import uow
from catalogue.services.identity import Identity
from catalogue.services.lookups import Lookup

# A session's last request is written at most this often, so page views stay free of writes.
SEEN_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionRules:
    """How long a session lasts without a request, and at most after signing in (0: no end)."""

    idle_seconds: int = 12 * 3600
    max_seconds: int = 7 * 24 * 3600

    @classmethod
    def from_config(cls, config) -> SessionRules:
        return cls(config["SESSION_IDLE_SECONDS"], config["SESSION_MAX_SECONDS"])

    def expired(self, created_at, last_seen_at, now) -> bool:
        idle = self.idle_seconds and now - last_seen_at > timedelta(seconds=self.idle_seconds)
        old = self.max_seconds and now - created_at > timedelta(seconds=self.max_seconds)
        return bool(idle or old)

    def stale(self, now) -> sa.ColumnElement[bool]:
        """Rows of sessions that have expired by ``now``."""
        clauses = []
        if self.idle_seconds:
            clauses.append(WebSession.last_seen_at < now - timedelta(seconds=self.idle_seconds))
        if self.max_seconds:
            clauses.append(WebSession.created_at < now - timedelta(seconds=self.max_seconds))
        return sa.or_(*clauses) if clauses else sa.false()


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(user: User, rules: SessionRules) -> str:
    """A new session of ``user``; returns its key, for the cookie only (never stored)."""
    key = secrets.token_urlsafe(32)
    # Sessions left to expire are swept here, at the rare moment someone signs in.
    db.session.execute(sa.delete(WebSession).where(rules.stale(utcnow())))
    db.session.add(WebSession(key_hash=_digest(key), user_id=user.id))
    uow.commit()
    return key


_SESSION_LOOKUP = Lookup(
    [WebSession.created_at, WebSession.last_seen_at, User.id, User.email, User.role],
    WebSession.key_hash,
    User.active.is_(True),
    join=(User, User.id == WebSession.user_id),
)


def resolve(key: str, rules: SessionRules) -> Identity | None:
    """The signed-in user of the session with this key, or None if it has ended."""
    digest = _digest(key)
    row = _SESSION_LOOKUP(digest)
    if row is None:
        return None
    created_at, last_seen_at, user_id, email, role = row
    now = utcnow()
    if rules.expired(created_at, last_seen_at, now):
        db.session.execute(sa.delete(WebSession).where(WebSession.key_hash == digest))
        uow.commit()
        return None
    if now - last_seen_at > SEEN_RESOLUTION:
        db.session.execute(
            sa.update(WebSession).where(WebSession.key_hash == digest).values(last_seen_at=now)
        )
        uow.commit()
    return Identity(user_id=user_id, email=email, role=Role(role))


def end(key: str) -> None:
    """Sign this session out (nothing happens for a key that has ended already)."""
    db.session.execute(sa.delete(WebSession).where(WebSession.key_hash == _digest(key)))
    uow.commit()


def end_all(user_id: uuid.UUID) -> None:
    """End every session of the user, in the caller's unit of work (committed with it)."""
    db.session.execute(sa.delete(WebSession).where(WebSession.user_id == user_id))
