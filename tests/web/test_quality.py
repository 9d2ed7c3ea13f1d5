"""Accessibility and safety rules every page keeps: labelled fields, escaped text, headers."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from flask import render_template

from tests.web.conftest import csrf_token as csrf
from tests.web.conftest import make_authority, make_object

SCRIPT = "<script>alert(1)</script>"


class Fields(HTMLParser):
    """Form fields of a page, and the ids that a <label for> names."""

    def __init__(self):
        super().__init__()
        self.fields: list[dict] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and attrs.get("for"):
            self.labelled.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "radio"):
            self.fields.append(attrs)


def unlabelled(page: str) -> list[dict]:
    parser = Fields()
    parser.feed(page)
    return [
        f for f in parser.fields if f.get("id") not in parser.labelled and not f.get("aria-label")
    ]


def test_every_field_on_every_page_has_a_label(app, client, browser_for):
    record = make_object(app, status="public")
    make_authority(app, "locations", kind="room", label={"fr": "Réserve"})
    admin = browser_for("admin")
    pages = {
        "/": client,
        "/search": client,
        "/login": client,
        f"/objects/{record['id']}": client,
        "/curate/": admin,
        "/curate/search": admin,
        "/curate/objects/new": admin,
        f"/curate/objects/{record['id']}/edit": admin,
        f"/curate/objects/{record['id']}/history": admin,
        f"/curate/objects/{record['id']}/movements": admin,
        "/curate/users/": admin,
        "/curate/vocabularies/terms": admin,
        "/curate/vocabularies/locations": admin,
        "/curate/vocabularies/places": admin,
    }
    for path, browser in pages.items():
        response = browser.get(path)
        assert response.status_code == 200, path
        assert unlabelled(response.get_data(as_text=True)) == [], path


def test_pages_send_protective_headers(client, browser_for):
    page = client.get("/")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "script-src" not in page.headers["Content-Security-Policy"]  # default-src 'self'
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in browser_for("curator").get("/curate/").headers["Cache-Control"]


def test_pages_use_no_inline_script(client):
    page = client.get("/").get_data(as_text=True)
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", page) == []


def test_results_page_shows_search_facets_highlights_and_suggestion(app):
    """The results template takes the search envelope of the API contract as it is."""
    results = {
        "items": [
            {
                "id": "0b6f3c1e-5d2a-4c1f-9a57-3f1e2d4c5b6a",
                "object_number": "1997.0001.001",
                "status": "public",
                "title": {"fr": "Fusée A4", "en": "A4 rocket"},
                "highlights": [f"la <mark>fusée</mark> {SCRIPT}"],
                "media": [],
            }
        ],
        "total": 1,
        "page": 1,
        "per_page": 20,
        "has_next": False,
        "has_prev": False,
        "facets": {
            "material": [{"value": "m1", "label": {"fr": "acier", "en": "steel"}, "count": 1}],
            "decade": [{"value": "1940", "label": "1940", "count": 1}],
        },
        "suggestion": "fusée",
    }
    with app.test_request_context("/search?q=fusee", headers={"Accept-Language": "en"}):
        page = render_template(
            "web/search.html", results=results, args={"q": "fusee"}, link="public.object_page"
        )
    assert "la <mark>fusée</mark> &lt;script&gt;" in page
    assert SCRIPT not in page
    assert "steel" in page and "(1)" in page and "material=m1" in page
    assert "Did you mean" in page and "q=fus%C3%A9e" in page


def test_nul_bytes_in_any_page_input_are_refused_not_a_crash(app, client, browser_for):
    record = make_object(app, status="public")
    admin = browser_for("admin")
    from tests.web.conftest import post_form

    assert client.get("/search?q=a%00b").status_code == 400
    assert admin.get("/curate/search?q=%00").status_code == 400
    assert admin.get("/curate/vocabularies/terms?q=%00").status_code == 200
    assert admin.get("/curate/edtf?value=19%0044").status_code == 200
    login = client.post(
        "/login",
        data={"email": "a\x00@b.c", "password": "x\x00", "csrf_token": csrf(client)},
    )
    assert login.status_code == 401
    created = post_form(admin, "/curate/users/", {"email": "a\x00@b.c", "role": "curator"})
    assert created.status_code == 422
    edited = post_form(
        admin,
        f"/curate/objects/{record['id']}/edit",
        {"object_number": "A\x00B", "title.fr": "x", "related_objects.0.object_number": "\x00"},
    )
    assert edited.status_code == 422
