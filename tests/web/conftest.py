"""Fixtures for the pages: people who sign in with a password, and a signed-in browser."""

from __future__ import annotations

import re
import threading
import uuid

import pytest
from werkzeug.serving import make_server

from catalogue.extensions import db
from catalogue.services.accounts import users as accounts
from catalogue.services.identity import SYSTEM
from tests.web import browsing

PASSWORD = "correct horse battery staple"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of this browser session, as a page's form carries it."""
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def sign_in(client, email: str, password: str = PASSWORD, address: str = "127.0.0.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(client)},
        environ_base={"REMOTE_ADDR": address},
    )


def post_form(client, path: str, data, token_from: str | None = None):
    """POST a form with the CSRF token taken from a page (the form's own page by default)."""
    token = csrf_token(client, token_from or path)
    if hasattr(data, "add"):
        data.add("csrf_token", token)
    else:
        data = {**data, "csrf_token": token}
    return client.post(path, data=data)


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashing():
    """Real argon2 with small costs: the production costs take most of a second per hash."""
    from argon2 import PasswordHasher

    saved = accounts._hasher, accounts._DUMMY_HASH
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    accounts._DUMMY_HASH = accounts._hasher.hash("not a password of anyone")
    yield
    accounts._hasher, accounts._DUMMY_HASH = saved


@pytest.fixture(autouse=True)
def _empty_search_index(app):
    """The database is emptied between tests, so the index must be too: the change log
    starts again from the same numbers and the index would take it as already read."""

    from catalogue.services.search import sync as search_sync

    with app.app_context():
        search_sync.engine(app).store.clear()


@pytest.fixture
def client(app):
    """A browser that prefers English (the pages default to French)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def people(app):
    """An admin, a curator, a second curator and a researcher, each with a password."""
    emails = {}
    with app.app_context():
        for name, role in (
            ("admin", "admin"),
            ("curator", "curator"),
            ("curator2", "curator"),
            ("researcher", "researcher"),
        ):
            email = f"{name}.web@museum.example"
            accounts.create_user(SYSTEM, email, role, password=PASSWORD, name=name.title())
            emails[name] = email
        db.session.remove()
    return emails


@pytest.fixture
def browser_for(app, people):
    """A new test client signed in as one of ``people``."""

    def make(name: str):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = sign_in(client, people[name])
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make


def make_object(app, **fields) -> dict:
    """Create an object through the service, as the system; returns the record."""

    from catalogue.services.objects import write as objects_write
    from tests.helpers import next_number

    body = {"object_number": next_number(), "title": {"fr": "Objet", "en": "Object"}, **fields}
    with app.app_context():
        record = objects_write.create(SYSTEM, objects_write.load_input(body)).data
        db.session.remove()
    return record


def make_authority(app, what: str, **fields) -> dict:
    from catalogue.schemas.authorities import AUTHORITY_INPUT
    from catalogue.services.authorities import records as authorities

    with app.app_context():
        record = authorities.create(SYSTEM, what, AUTHORITY_INPUT[what]().load(fields)).data
        db.session.remove()
    return record


def attach_image(app, record: dict, tmp_path, colour: str, size=(2400, 1600)) -> str:
    """Upload a drawn image to the object as a curator would (derivatives, pyramid)."""
    from PIL import Image, ImageDraw

    from catalogue.services.media import uploads
    from media.checksums import sha256_of_file

    path = tmp_path / f"{colour}.jpg"
    image = Image.new("RGB", size, colour)
    margin_x, margin_y = size[0] // 8, size[1] // 8
    ImageDraw.Draw(image).ellipse(
        [(margin_x, margin_y), (size[0] - margin_x, size[1] - margin_y)], fill="white"
    )
    image.save(path, "JPEG")
    sha256, length = sha256_of_file(path)
    with app.app_context():
        received = uploads.Upload(path, sha256, length, path.name)
        media = uploads.upload(
            SYSTEM, uuid.UUID(record["id"]), received, {"caption": f"Vue {colour}"}
        )
        db.session.remove()
    return str(media.data["id"])


# ---- browser tests (tests/web/browsing.py) ------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=browsing.CHROMIUM, args=browsing.CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def live_server(app):
    """The app on a free loopback port, in a thread, for the whole run of this backend."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def open_page(browser, live_server):
    """A new page in its own browser context (its own cookies), English unless told."""
    contexts = []

    def make(locale: str = "en-GB", width: int = 1280, height: int = 900, bypass_csp=False):
        # bypass_csp: for a test that injects its own script (axe-core) into the pages.
        context = browser.new_context(
            base_url=live_server,
            locale=locale,
            viewport={"width": width, "height": height},
            bypass_csp=bypass_csp,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
