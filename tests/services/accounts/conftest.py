"""Real argon2 with small costs for these tests: the production costs take most of a second
per hash on a busy machine."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from catalogue.services.accounts import users as accounts


@pytest.fixture(autouse=True)
def _quick_password_hashing(monkeypatch):
    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", quick)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", quick.hash("not a password of anyone"))
