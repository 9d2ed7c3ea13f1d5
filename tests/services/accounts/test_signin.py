"""Signing in to the pages: repeated failures for one email from one address must wait."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import SignInThrottle
from catalogue.models.base import utcnow
from catalogue.services.accounts import signin
from catalogue.services.accounts import users as accounts
from catalogue.services.errors import TooManyRequests, Unauthorized
from tests.services.builders import ADMIN, refused

EMAIL = "curator@museum.example"
PASSWORD = "correct horse battery staple"
HOME, ELSEWHERE = "192.0.2.10", "198.51.100.7"


@pytest.fixture
def rules(app, ctx, monkeypatch):
    """The configured rules, with three failures allowed; a curator who may sign in."""
    monkeypatch.setitem(app.config, "SIGN_IN_FREE_FAILURES", 3)
    accounts.create_user(ADMIN, EMAIL, "curator", PASSWORD)
    accounts.create_user(ADMIN, "admin@museum.example", "admin", PASSWORD)
    db.session.remove()
    return signin.ThrottleRules.from_config(app.config)


def sign_in(rules, password: str = PASSWORD, email: str = EMAIL, address: str = HOME) -> str:
    user = signin.sign_in(email, password, address, rules)
    found = user.email
    db.session.remove()
    return found


def fail(rules, times: int, email: str = EMAIL, address: str = HOME) -> None:
    for _ in range(times):
        with refused(Unauthorized):
            signin.sign_in(email, "a wrong guess", address, rules)


def blocked(rules, password: str = PASSWORD, email: str = EMAIL, address: str = HOME) -> int:
    """The caller is told to wait; returns how many seconds."""
    with refused(TooManyRequests) as caught:
        signin.sign_in(email, password, address, rules)
    return caught.value.extra["retry_after"]


def test_after_the_free_failures_even_the_right_password_must_wait(rules):
    assert rules.free_failures == 3
    fail(rules, rules.free_failures)
    wait = blocked(rules)
    assert 0 < wait <= rules.block_seconds
    assert blocked(rules, "a wrong guess") <= wait  # waiting guesses are not counted further


def test_a_success_clears_the_failures(rules):
    fail(rules, rules.free_failures - 1)
    assert sign_in(rules) == EMAIL
    fail(rules, rules.free_failures - 1)
    assert sign_in(rules) == EMAIL
    assert db.session.execute(sa.select(SignInThrottle)).first() is None
    db.session.remove()


def test_failures_count_per_email_and_address(rules):
    fail(rules, rules.free_failures)
    blocked(rules)
    blocked(rules, email="  Curator@Museum.EXAMPLE")  # the same email
    assert sign_in(rules, address=ELSEWHERE) == EMAIL
    assert sign_in(rules, email="admin@museum.example") == "admin@museum.example"
    # An unknown email is counted like any other.
    fail(rules, rules.free_failures, email="nobody@museum.example")
    blocked(rules, email="nobody@museum.example")


def test_the_wait_doubles_while_failures_go_on(rules):
    fail(rules, rules.free_failures)
    assert blocked(rules) > rules.block_seconds / 2
    # The wait is over (as if time had passed): one more failure waits twice as long.
    db.session.execute(sa.update(SignInThrottle).values(blocked_until=utcnow() - timedelta(1)))
    db.session.commit()
    db.session.remove()
    fail(rules, 1)
    assert rules.block_seconds < blocked(rules) <= 2 * rules.block_seconds


def test_neither_email_nor_address_is_kept_in_clear(rules):
    fail(rules, 1)
    [row] = db.session.execute(sa.select(SignInThrottle)).scalars().all()
    assert row.failures == 1 and row.blocked_until is None
    assert EMAIL not in row.key and HOME not in row.key
    db.session.remove()


def test_a_deactivated_user_is_refused_like_a_wrong_password(rules):
    accounts.update_user(ADMIN, accounts.find_user(EMAIL).id, active=False)
    db.session.remove()
    for _ in range(rules.free_failures):
        with refused(Unauthorized):
            signin.sign_in(EMAIL, PASSWORD, HOME, rules)
    blocked(rules)


def test_a_nul_character_is_a_wrong_password(rules):
    with refused(Unauthorized):
        signin.sign_in(EMAIL, "correct horse\x00battery staple", HOME, rules)
    with refused(Unauthorized):
        signin.sign_in("curator\x00@museum.example", PASSWORD, HOME, rules)
    assert sign_in(rules) == EMAIL
