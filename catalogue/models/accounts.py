"""Accounts: users with a role, and API tokens stored only as hashes."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalogue.models.authorities import _enum
from catalogue.models.base import Base, UUIDKey, utcnow


class Role(enum.StrEnum):
    admin = "admin"
    curator = "curator"
    researcher = "researcher"


class User(UUIDKey, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


class ApiToken(UUIDKey, Base):
    __tablename__ = "api_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str | None] = mapped_column(sa.String(200))
    # SHA-256 of the token: tokens are long random strings, so a fast hash is safe here.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters, shown in listings so a person can tell tokens apart.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship(back_populates="tokens", lazy="joined")


class SignInThrottle(Base):
    """Failed sign-ins for one email from one address, so guessing slows down.

    Kept in the database so every server process sees the same count.
    """

    __tablename__ = "sign_in_throttles"

    # SHA-256 of "email|address": neither is stored in clear.
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column()


class WebSession(Base):
    """A browser signed in to the pages; signing out, a new password or deactivation ends it.

    The session cookie carries a random key; only its SHA-256 is stored, so a copy of this
    table opens no session.
    """

    __tablename__ = "web_sessions"

    key_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class RequestCount(Base):
    """Requests of one caller within the current window of an API rate limit.

    Kept in the database so that every worker and host counts against the same budget.
    """

    __tablename__ = "request_counts"

    # The limit and the caller: "LIMITER/anonymous/<address>/600/1/minute", say.
    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(default=0)
    # When the window ends and the count starts again, in seconds since the epoch.
    expires_at: Mapped[float] = mapped_column(sa.Float, index=True)
