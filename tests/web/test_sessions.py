"""Signed-in sessions are kept on the server: a cookie copied before sign-out, a password
change or a deactivation opens nothing afterwards, in any server process."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import User
from catalogue.services.accounts import users as accounts
from catalogue.services.identity import SYSTEM
from tests.web.conftest import PASSWORD, post_form, sign_in

NEW_PASSWORD = "a different long passphrase"


def copied_cookie(browser) -> str:
    """The session cookie as someone reading it off the browser would copy it."""
    return browser.get_cookie("session").value


def replay(app, cookie: str):
    """A fresh browser presenting the copied cookie to the workspace."""
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    other.set_cookie("session", cookie)
    return other.get("/curate/")


def refused(response) -> bool:
    return response.status_code == 302 and "/login" in response.location


def user_id(app, email: str):
    with app.app_context():
        found = accounts.find_user(email).id
        db.session.remove()
    return found


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, browser_for):
    browser = browser_for("curator")
    cookie = copied_cookie(browser)
    assert replay(app, cookie).status_code == 200  # the copy works while signed in
    assert post_form(browser, "/logout", {}, token_from="/curate/").status_code == 302
    assert refused(browser.get("/curate/"))
    assert refused(replay(app, cookie))


def test_signing_out_ends_only_that_browser(app, browser_for):
    laptop, desk = browser_for("curator"), browser_for("curator")
    post_form(laptop, "/logout", {}, token_from="/curate/")
    assert refused(laptop.get("/curate/"))
    assert desk.get("/curate/").status_code == 200


def test_sign_out_in_one_server_process_holds_in_another(app, database_url, tmp_path_factory):
    """A second app on the same database (another gunicorn worker, another host)."""
    from catalogue import create_app
    from tests.conftest import make_test_config

    with app.app_context():
        accounts.create_user(SYSTEM, "worker@museum.example", "curator", password=PASSWORD)
        db.session.remove()
    other = create_app(make_test_config(tmp_path_factory, database_url))
    try:
        browser = app.test_client()
        assert sign_in(browser, "worker@museum.example").status_code == 302
        cookie = copied_cookie(browser)
        assert replay(other, cookie).status_code == 200
        post_form(browser, "/logout", {}, token_from="/curate/")
        assert refused(replay(other, cookie))
    finally:
        with other.app_context():
            db.engine.dispose()


def test_a_password_change_by_command_ends_every_session_of_the_user(app, browser_for, people):
    laptop, desk = browser_for("curator"), browser_for("curator")
    colleague = browser_for("curator2")
    cookie = copied_cookie(laptop)
    result = app.test_cli_runner().invoke(
        args=["users", "set-password", people["curator"], "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert refused(replay(app, cookie))
    assert refused(laptop.get("/curate/")) and refused(desk.get("/curate/"))
    assert colleague.get("/curate/").status_code == 200  # other people stay signed in
    assert sign_in(app.test_client(), people["curator"]).status_code == 401
    assert sign_in(app.test_client(), people["curator"], NEW_PASSWORD).status_code == 302


def test_a_generated_password_is_printed_once(app, people):
    result = app.test_cli_runner().invoke(args=["users", "set-password", people["researcher"]])
    assert result.exit_code == 0, result.output
    password = result.output.strip().rsplit(" ", 1)[-1]
    assert sign_in(app.test_client(), people["researcher"], password).status_code == 302


def test_a_short_password_is_refused_and_nothing_ends(app, browser_for, people):
    browser = browser_for("curator")
    result = app.test_cli_runner().invoke(
        args=["users", "set-password", people["curator"], "--password", "short"]
    )
    assert result.exit_code != 0 and "at least 12 characters" in result.output
    assert browser.get("/curate/").status_code == 200
    assert sign_in(app.test_client(), people["curator"]).status_code == 302


def test_a_password_set_by_an_admin_on_the_users_page_ends_the_sessions(app, browser_for, people):
    curator = browser_for("curator")
    cookie = copied_cookie(curator)
    admin = browser_for("admin")
    path = f"/curate/users/{user_id(app, people['curator'])}/password"
    response = post_form(admin, path, {"password": NEW_PASSWORD}, token_from="/curate/users/")
    assert response.status_code == 302
    assert "Password changed" in admin.get("/curate/users/").get_data(as_text=True)
    assert refused(replay(app, cookie)) and refused(curator.get("/curate/"))
    assert admin.get("/curate/").status_code == 200
    assert sign_in(app.test_client(), people["curator"], NEW_PASSWORD).status_code == 302


def test_a_short_password_on_the_users_page_is_shown_and_changes_nothing(app, browser_for, people):
    curator = browser_for("curator")
    admin = browser_for("admin")
    path = f"/curate/users/{user_id(app, people['curator'])}/password"
    post_form(admin, path, {"password": "short"}, token_from="/curate/users/")
    assert "at least 12 characters" in admin.get("/curate/users/").get_data(as_text=True)
    assert curator.get("/curate/").status_code == 200


def test_only_admins_set_passwords(app, browser_for, people):
    curator = browser_for("curator")
    path = f"/curate/users/{user_id(app, people['curator2'])}/password"
    response = post_form(curator, path, {"password": NEW_PASSWORD}, token_from="/curate/")
    assert response.status_code == 403
    assert sign_in(app.test_client(), people["curator2"]).status_code == 302


def test_deactivation_ends_the_sessions_for_good(app, browser_for, people):
    browser = browser_for("curator")
    cookie = copied_cookie(browser)
    colleague = browser_for("curator2")
    admin = browser_for("admin")
    path = f"/curate/users/{user_id(app, people['curator'])}"
    post_form(admin, path, {"role": "curator", "active": "0"}, token_from="/curate/users/")
    assert refused(replay(app, cookie))
    # Reactivating the account does not bring the old sessions back.
    post_form(admin, path, {"role": "curator", "active": "1"}, token_from="/curate/users/")
    assert refused(replay(app, cookie)) and refused(browser.get("/curate/"))
    assert colleague.get("/curate/").status_code == 200
    assert sign_in(app.test_client(), people["curator"]).status_code == 302


def _age_sessions(app, **ago) -> None:
    """Move every stored session back in time, as if the browser had waited."""
    from catalogue.models import WebSession

    with app.app_context():
        for row in db.session.execute(sa.select(WebSession)).scalars():
            for column, seconds in ago.items():
                setattr(row, column, getattr(row, column) - timedelta(seconds=seconds))
        db.session.commit()
        db.session.remove()


def test_an_idle_session_expires(app, browser_for):
    browser = browser_for("curator")
    _age_sessions(app, last_seen_at=app.config["SESSION_IDLE_SECONDS"] - 60)
    assert browser.get("/curate/").status_code == 200  # within the idle time
    _age_sessions(app, last_seen_at=app.config["SESSION_IDLE_SECONDS"] + 60)
    assert refused(browser.get("/curate/"))


def test_a_session_in_use_still_ends_after_the_longest_lifetime(app, browser_for):
    browser = browser_for("curator")
    _age_sessions(app, created_at=app.config["SESSION_MAX_SECONDS"] + 60)
    assert refused(browser.get("/curate/"))


def test_the_cookie_holds_no_user_and_the_server_no_session_key(app, browser_for, people):
    """The cookie names a random session key; the database keeps only its hash."""
    from catalogue.models import WebSession

    browser = browser_for("curator")
    with app.app_context():
        stored = db.session.execute(sa.select(WebSession)).scalars().all()
        user = db.session.execute(
            sa.select(User).where(User.email == people["curator"])
        ).scalar_one()
        db.session.remove()
    assert [row.user_id for row in stored] == [user.id]
    session = app.session_interface.get_signing_serializer(app).loads(copied_cookie(browser))
    assert str(user.id) not in str(session)
    assert all(value not in stored[0].key_hash for value in map(str, session.values()))


def test_api_calls_with_a_token_open_no_session(app, client, users):
    from catalogue.models import WebSession

    response = client.get("/api/v1/objects?status=internal", headers=users["researcher"].headers)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(WebSession)).scalar() == 0
        db.session.remove()
