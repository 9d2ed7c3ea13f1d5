"""The ``catalogue`` commands: users, tokens, database upgrade."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from catalogue import create_app
from catalogue.extensions import db
from catalogue.models import ApiToken, Base, User
from catalogue.services.accounts import users as accounts
from tests import helpers
from tests.conftest import make_test_config


def run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result


def stored_user(app, email: str) -> User:
    with app.app_context():
        user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one()
        db.session.expunge(user)
        db.session.remove()
        return user


def test_users_create_hashes_the_given_password(app):
    result = run(
        app,
        "users",
        "create",
        "Curator@Museum.example",
        "--role",
        "curator",
        "--password",
        "correct horse battery",
    )
    assert result.exit_code == 0, result.output
    assert "curator@museum.example" in result.output
    assert "correct horse battery" not in result.output
    user = stored_user(app, "curator@museum.example")
    assert user.role == "curator"
    assert user.password_hash.startswith("$argon2id$")
    assert "correct horse battery" not in user.password_hash
    with app.app_context():
        assert accounts.verify_password("curator@museum.example", "correct horse battery")
        assert accounts.verify_password("curator@museum.example", "wrong horse battery") is None
        db.session.remove()


def test_users_create_prints_a_generated_password_once(app):
    result = run(app, "users", "create", "admin@museum.example", "--role", "admin")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "Password" in line]
    assert len(lines) == 1
    password = lines[0].rsplit(" ", 1)[1]
    assert len(password) >= 12
    user = stored_user(app, "admin@museum.example")
    assert password not in user.password_hash
    with app.app_context():
        assert accounts.verify_password("admin@museum.example", password)
        db.session.remove()


def test_users_create_refuses_bad_input(app):
    assert run(app, "users", "create", "someone@museum.example", "--role", "owner").exit_code != 0
    short = run(
        app, "users", "create", "someone@museum.example", "--role", "curator", "--password", "short"
    )
    assert short.exit_code != 0 and "12" in short.output
    assert run(app, "users", "create", "not-an-email", "--role", "curator").exit_code != 0
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar_one() == 0
        db.session.remove()
    assert run(app, "users", "create", "a@museum.example", "--role", "researcher").exit_code == 0
    duplicate = run(app, "users", "create", "A@museum.example", "--role", "curator")
    assert duplicate.exit_code != 0 and "exists" in duplicate.output


def test_tokens_create_prints_a_token_stored_only_as_a_hash(app, client):
    assert run(app, "users", "create", "curator@museum.example", "--role", "curator").exit_code == 0
    result = run(app, "tokens", "create", "curator@museum.example", "--name", "website sync")
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    with app.app_context():
        row = db.session.execute(sa.select(ApiToken)).scalar_one()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert row.name == "website sync"
        values = [str(v) for v in row.__dict__.values()]
        assert token not in values
        db.session.remove()
    # Staff-only endpoints answer with the token, not without it.
    assert (
        client.get("/api/v1/locations", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )
    assert client.get("/api/v1/locations").status_code == 401
    assert run(app, "tokens", "create", "nobody@museum.example").exit_code != 0
    revoked = run(app, "tokens", "revoke", "curator@museum.example")
    assert revoked.exit_code == 0 and "1" in revoked.output
    assert (
        client.get("/api/v1/locations", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )


def test_db_upgrade_builds_the_schema(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'fresh.db'}"
    app = create_app(make_test_config(tmp_path_factory, url))
    result = run(app, "db", "upgrade")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert set(Base.metadata.tables) <= set(sa.inspect(db.engine).get_table_names())
        # Running it again on an up-to-date database is harmless.
        assert run(app, "db", "upgrade").exit_code == 0
        db.engine.dispose()


def test_authorities_refresh_sorts_by_a_new_default_language(app, client, curator):
    for fr, en in (("Acier", "Steel"), ("Laiton", "Brass")):
        helpers.term(client, curator, "material", fr, en)

    def listed() -> list[str]:
        return [item["label"]["fr"] for item in client.get("/api/v1/terms").get_json()["items"]]

    before = client.get("/api/v1/terms").get_json()["items"]
    assert listed() == ["Acier", "Laiton"]
    app.config["DEFAULT_LANGUAGE"] = "en"
    try:
        result = run(app, "authorities", "refresh")
        assert result.exit_code == 0, result.output
        assert "2 authorit" in result.output
        assert listed() == ["Laiton", "Acier"]
        # The authorities themselves did not change.
        after = client.get("/api/v1/terms").get_json()["items"]
        assert sorted(after, key=lambda item: item["id"]) == sorted(
            before, key=lambda item: item["id"]
        )
        assert "0 authorit" in run(app, "authorities", "refresh").output
    finally:
        app.config["DEFAULT_LANGUAGE"] = "fr"
