"""Users, passwords and API tokens.

A new password or a deactivation ends every page session of the user (``sessions``).
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from catalogue.extensions import db
from catalogue.models import ApiToken, Role, User
from catalogue.models.base import utcnow
from catalogue.schemas.text import refusal
from catalogue.services import uow
from catalogue.services.accounts import sessions
from catalogue.services.errors import Conflict, NotFound, ValidationFailed
from catalogue.services.identity import ANONYMOUS, Identity
from catalogue.services.lookups import Lookup

_hasher = PasswordHasher()
TOKEN_PREFIX = "cat_"  # noqa: S105 (a marker, not a secret)
MIN_PASSWORD = 12
# A token's last use is written at most this often, so reads stay free of writes.
LAST_USED_RESOLUTION = timedelta(hours=1)
# Verified against when no user matches, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def identity_of(user: User) -> Identity:
    return Identity(user_id=user.id, email=user.email, role=user.role)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed({"password": [f"Use at least {MIN_PASSWORD} characters."]})
    return _hasher.hash(password)


def create_user(
    identity: Identity,
    email: str,
    role: Role | str,
    password: str | None = None,
    name: str | None = None,
) -> User:
    identity.require_admin()
    email = email.strip().lower()
    if "@" not in email or len(email) > 320 or refusal(email):
        raise ValidationFailed({"email": ["Give a valid email address."]})
    if name and refusal(name):
        raise ValidationFailed({"name": [refusal(name, "A name")]})
    try:
        role = Role(role)
    except ValueError as error:
        raise ValidationFailed({"role": [f"Role is one of {', '.join(Role)}."]}) from error
    if db.session.execute(sa.select(User.id).where(User.email == email)).first():
        raise Conflict(f"A user with email {email} exists already.")
    user = User(
        email=email,
        role=role,
        name=name,
        password_hash=hash_password(password) if password else None,
    )
    db.session.add(user)
    uow.commit()
    return user


def find_user(email: str) -> User:
    user = db.session.execute(
        sa.select(User).where(User.email == email.strip().lower())
    ).scalar_one_or_none()
    if user is None:
        raise NotFound(f"No user with email {email}.")
    return user


def verify_password(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (timing does not tell which)."""
    user = db.session.execute(
        sa.select(User).where(User.email == email.strip().lower())
    ).scalar_one_or_none()
    try:
        _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active or not user.password_hash:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    uow.commit()
    return user


def list_users(identity: Identity) -> list[User]:
    """Every user, by email (admins only)."""
    identity.require_admin()
    return list(db.session.execute(sa.select(User).order_by(User.email)).scalars())


def update_user(
    identity: Identity,
    user_id,
    role: Role | str | None = None,
    active: bool | None = None,
) -> User:
    """Change a user's role or whether they may sign in (admins only; not themselves)."""
    identity.require_admin()
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    if user.id == identity.user_id:
        raise Conflict("Admins cannot change their own role or deactivate themselves.")
    if role is not None:
        try:
            user.role = Role(role)
        except ValueError as error:
            raise ValidationFailed({"role": [f"Role is one of {', '.join(Role)}."]}) from error
    if active is not None:
        user.active = active
        if not active:
            sessions.end_all(user.id)
    uow.commit()
    return user


def set_password(identity: Identity, user_id: uuid.UUID, password: str) -> User:
    """Give the user a new password (admins only) and end every session they have open."""
    identity.require_admin()
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    if "\x00" in password:
        raise ValidationFailed({"password": ["A password cannot contain a NUL character."]})
    user.password_hash = hash_password(password)
    sessions.end_all(user.id)
    uow.commit()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(identity: Identity, email: str, name: str | None = None) -> str:
    """A new API token for the user; the token itself is returned once and never stored."""
    identity.require_admin()
    user = find_user(email)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(user_id=user.id, name=name, token_hash=_digest(token), prefix=token[:12])
    )
    uow.commit()
    return token


_TOKEN_LOOKUP = Lookup(
    [ApiToken.id, ApiToken.last_used_at, User.id, User.email, User.role],
    ApiToken.token_hash,
    ApiToken.revoked_at.is_(None),
    User.active.is_(True),
    join=(User, User.id == ApiToken.user_id),
)


# Resolved tokens are remembered this long by each process, so a burst of requests costs one
# lookup; revoking a token, deactivating a user or changing a role takes effect within it.
TOKEN_CACHE_SECONDS = 5.0
TOKEN_CACHE_SIZE = 1024


def _token_cache() -> dict:
    return current_app.extensions.setdefault("token_cache", {})


def identity_for_token(token: str) -> Identity | None:
    """The identity a bearer token stands for, or None if it is unknown, revoked or inactive."""
    digest = _digest(token)
    cache = _token_cache()
    cached = cache.get(digest)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    identity = _lookup(digest)
    if identity is not None:
        if len(cache) >= TOKEN_CACHE_SIZE:
            cache.clear()
        cache[digest] = (time.monotonic() + TOKEN_CACHE_SECONDS, identity)
    return identity


def _lookup(digest: str) -> Identity | None:
    row = _TOKEN_LOOKUP(digest)
    if row is None:
        return None
    token_id, last_used_at, user_id, email, role = row
    now = utcnow()
    if last_used_at is None or now - last_used_at > LAST_USED_RESOLUTION:
        db.session.execute(
            sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
        )
        uow.commit()
    return Identity(user_id=user_id, email=email, role=Role(role))


def revoke_tokens(identity: Identity, email: str) -> int:
    identity.require_admin()
    user = find_user(email)
    now = utcnow()
    count = 0
    for token in user.tokens:
        if token.revoked_at is None:
            token.revoked_at = now
            count += 1
    uow.commit()
    _token_cache().clear()
    return count


__all__ = ["ANONYMOUS", "create_token", "create_user", "identity_for_token", "verify_password"]
