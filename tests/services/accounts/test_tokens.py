"""API tokens: shown once, kept only as a hash, standing for their user until revoked."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import ApiToken, Base, Role
from catalogue.services.accounts import users as accounts
from catalogue.services.errors import Forbidden, NotFound, Unauthorized
from catalogue.services.identity import ANONYMOUS
from tests.services.builders import ADMIN, CURATOR, refused


def new_user(email: str, role: str = "curator") -> str:
    stored = accounts.create_user(ADMIN, email, role).email
    db.session.remove()
    return stored


def new_token(email: str, name: str | None = None) -> str:
    token = accounts.create_token(ADMIN, email, name)
    db.session.remove()
    return token


def who(token: str):
    identity = accounts.identity_for_token(token)
    db.session.remove()
    return identity


def every_value_in_the_database() -> str:
    """Every row of every table, as text."""
    rows = [
        repr(tuple(row))
        for table in Base.metadata.sorted_tables
        for row in db.session.execute(sa.select(table)).all()
    ]
    db.session.remove()
    return "\n".join(rows)


def token_rows() -> list[ApiToken]:
    rows = list(db.session.execute(sa.select(ApiToken).order_by(ApiToken.created_at)).scalars())
    db.session.expunge_all()
    db.session.remove()
    return rows


def test_a_token_is_shown_once_and_stored_only_as_a_hash(ctx):
    email = new_user("harvester@museum.example", "researcher")
    token = new_token(email, "OAI harvester")
    assert token.startswith(accounts.TOKEN_PREFIX) and len(token) > 40
    [row] = token_rows()
    assert row.name == "OAI harvester"
    assert row.prefix == token[:12]  # enough to tell tokens apart in a listing
    assert row.token_hash != token and len(row.token_hash) == 64
    assert token not in every_value_in_the_database()
    assert token[12:] not in every_value_in_the_database()
    # A second token is a different one.
    assert new_token(email) != token


def test_a_token_stands_for_its_user(ctx):
    email = new_user("curator@museum.example")
    token = new_token(email)
    identity = who(token)
    assert (identity.email, identity.role) == (email, Role.curator)
    assert identity.user_id == accounts.find_user(email).id
    db.session.remove()
    # Its first use is recorded, so an admin can tell a token in use from a forgotten one.
    [row] = token_rows()
    assert row.last_used_at is not None


@pytest.mark.parametrize("token", ["", "cat_", "cat_not-a-token-we-gave-out", "Bearer x"])
def test_an_unknown_token_stands_for_no_one(ctx, token):
    new_token(new_user("curator@museum.example"))
    assert who(token) is None


def test_revoking_ends_every_token_of_the_user_and_no_other(ctx):
    email = new_user("curator@museum.example")
    first, second = new_token(email), new_token(email)
    other = new_token(new_user("researcher@museum.example", "researcher"))
    assert who(first).email == email  # now remembered by this process too
    assert accounts.revoke_tokens(ADMIN, email) == 2
    db.session.remove()
    assert who(first) is None and who(second) is None
    assert who(other).email == "researcher@museum.example"
    # Nothing is left to revoke; a new token works again.
    assert accounts.revoke_tokens(ADMIN, email) == 0
    db.session.remove()
    assert who(new_token(email)).email == email
    assert sum(row.revoked_at is not None for row in token_rows()) == 2


def test_the_token_of_a_deactivated_user_stands_for_no_one(ctx):
    email = new_user("curator@museum.example")
    token = new_token(email)
    accounts.update_user(ADMIN, accounts.find_user(email).id, active=False)
    db.session.remove()
    assert who(token) is None


@pytest.mark.parametrize(("identity", "error"), [(CURATOR, Forbidden), (ANONYMOUS, Unauthorized)])
def test_only_admins_make_and_revoke_tokens(ctx, identity, error):
    email = new_user("curator@museum.example")
    token = new_token(email)
    with refused(error):
        accounts.create_token(identity, email)
    with refused(error):
        accounts.revoke_tokens(identity, email)
    assert len(token_rows()) == 1
    assert who(token).email == email


def test_a_token_for_an_unknown_user_is_refused(ctx):
    with refused(NotFound):
        accounts.create_token(ADMIN, "nobody@museum.example")
    with refused(NotFound):
        accounts.revoke_tokens(ADMIN, "nobody@museum.example")
    assert token_rows() == []
