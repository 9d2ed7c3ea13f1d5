"""Signing in and out: sessions, CSRF, throttling of repeated failures, roles."""

from __future__ import annotations

from catalogue.extensions import db
from catalogue.services.accounts import users as accounts
from catalogue.services.identity import SYSTEM
from tests.nodes import node
from tests.web.conftest import PASSWORD, csrf_token, post_form, sign_in


def test_sign_in_sets_a_protected_session_cookie_and_opens_the_workspace(client, people):
    page = client.get("/login").get_data(as_text=True)
    assert '<label for="email">' in page and '<label for="password">' in page
    response = sign_in(client, people["curator"])
    assert response.status_code == 302 and response.location.endswith("/curate/")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    dashboard = client.get("/curate/")
    assert dashboard.status_code == 200
    assert people["curator"] in dashboard.get_data(as_text=True)


def test_secure_cookie_setting_marks_the_cookie_secure(app, client, people):
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        response = sign_in(client, people["curator"])
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    assert "Secure" in response.headers["Set-Cookie"]


def test_sign_in_without_csrf_token_is_refused(client, people):
    response = client.post("/login", data={"email": people["curator"], "password": PASSWORD})
    assert response.status_code == 400
    assert "form has expired" in response.get_data(as_text=True)
    assert client.get("/curate/").status_code == 302


def test_every_workspace_form_refuses_a_missing_token(app, browser_for):
    browser = browser_for("admin")
    for path in ("/curate/objects/new", "/curate/users/", "/curate/vocabularies/terms", "/logout"):
        assert browser.post(path, data={"email": "x@y.z"}).status_code == 400, path
    assert browser.get("/curate/").status_code == 200


def test_wrong_password_says_so_without_telling_which_part(client, people):
    response = sign_in(client, people["curator"], "not the password at all")
    assert response.status_code == 401
    assert "Wrong email or password" in response.get_data(as_text=True)
    unknown = sign_in(client, "nobody@museum.example", "not the password at all")
    assert unknown.status_code == 401
    assert "Wrong email or password" in unknown.get_data(as_text=True)


def test_repeated_failures_are_slowed_down_per_email_and_address(app, client, people):
    free = app.config["SIGN_IN_FREE_FAILURES"]
    email = people["curator"]
    for _ in range(free):
        assert sign_in(client, email, "wrong password guess").status_code == 401
    blocked = sign_in(client, email)  # even the right password must wait now
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in blocked.get_data(as_text=True)
    # Another address, or another account, is not held up by these failures.
    assert sign_in(app.test_client(), email, address="10.0.0.9").status_code == 302
    assert sign_in(app.test_client(), people["curator2"]).status_code == 302


def test_a_successful_sign_in_clears_the_failure_count(app, client, people):
    free = app.config["SIGN_IN_FREE_FAILURES"]
    email = people["curator"]
    for _ in range(free - 1):
        sign_in(client, email, "wrong password guess")
    assert sign_in(client, email).status_code == 302
    other = app.test_client()
    for _ in range(free - 1):
        assert sign_in(other, email, "wrong password guess").status_code == 401
    assert sign_in(other, email).status_code == 302


def test_sign_out_ends_the_session(browser_for):
    browser = browser_for("curator")
    response = post_form(browser, "/logout", {}, token_from="/curate/")
    assert response.status_code == 302
    assert browser.get("/curate/").status_code == 302


def test_workspace_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/curate/objects/new")
    assert response.status_code == 302
    assert "/login?next=/curate/objects/new" in response.location


def test_sign_in_follows_only_local_next_paths(client, people):
    data = {"email": people["curator"], "password": PASSWORD}
    away = client.post(
        "/login", data={**data, "next": "https://evil.example/", "csrf_token": csrf_token(client)}
    )
    assert away.location.endswith("/curate/")
    # Signing in starts a new session, so the next form needs a fresh token.
    local = client.post(
        "/login", data={**data, "next": "/curate/search", "csrf_token": csrf_token(client)}
    )
    assert local.location.endswith("/curate/search")


def test_a_deactivated_user_loses_the_session(app, browser_for, people):
    browser = browser_for("curator")
    with app.app_context():
        user = accounts.find_user(people["curator"])
        accounts.update_user(SYSTEM, user.id, active=False)
        db.session.remove()
    assert browser.get("/curate/").status_code == 302
    assert sign_in(app.test_client(), people["curator"]).status_code == 401


def test_researchers_read_but_do_not_write(browser_for):
    browser = browser_for("researcher")
    assert browser.get("/curate/").status_code == 200
    assert browser.get("/curate/objects/new").status_code == 403
    assert browser.get("/curate/users/").status_code == 403


def test_the_json_api_needs_no_csrf_token(client, users):
    response = client.post(
        "/api/v1/objects",
        json={"object_number": "2026.9000.001", "title": {"fr": "Sans jeton"}},
        headers=users["curator"].headers,
    )
    assert response.status_code == 201


def test_failures_are_counted_across_server_processes_and_nodes(app, people, tmp_path):
    """Another node (own disks, same database) sees the same count: the throttle is a row of
    the database, not the memory of a process."""
    free = app.config["SIGN_IN_FREE_FAILURES"]
    with node(app, tmp_path) as other:
        for i in range(free):
            worker = app if i % 2 == 0 else other
            failed = sign_in(worker.test_client(), people["curator"], "wrong guess")
            assert failed.status_code == 401
        assert sign_in(other.test_client(), people["curator"]).status_code == 429
        assert sign_in(app.test_client(), people["curator"]).status_code == 429


def test_a_session_opened_on_one_node_is_valid_on_the_others(app, client, people, tmp_path):
    """Nodes share SECRET_KEY (required in production): the load balancer may send the next
    request of a signed-in curator, and the form it posts, to any node."""
    assert sign_in(client, people["curator"]).status_code == 302
    token = csrf_token(client, "/curate/")
    cookie = client.get_cookie("session")
    with node(app, tmp_path) as other:
        browser = other.test_client()
        browser.set_cookie("session", cookie.value, domain=cookie.domain)
        dashboard = browser.get("/curate/")
        assert dashboard.status_code == 200
        assert people["curator"] in dashboard.get_data(as_text=True)
        out = browser.post("/logout", data={"csrf_token": token})
        assert out.status_code == 302
