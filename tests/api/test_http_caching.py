"""HTTP for websites: cache headers, conditional requests, Vary, CORS for public reads only."""

from __future__ import annotations

from tests import helpers


def test_lists_are_briefly_and_records_longer_cacheable_for_anonymous(client, curator):
    record = helpers.obj(client, curator, status="public")
    listing = client.get("/api/v1/objects")
    assert listing.cache_control.public and listing.cache_control.max_age == 60
    one = client.get(f"/api/v1/objects/{record['id']}")
    assert one.cache_control.public and one.cache_control.max_age == 300
    for response in (listing, one):
        assert "Authorization" in response.vary
    feed = client.get("/api/v1/changes")
    assert feed.cache_control.max_age == 60


def test_answers_to_signed_in_callers_are_private(client, users):
    response = client.get("/api/v1/objects", headers=users["researcher"].headers)
    assert response.cache_control.private and response.cache_control.no_cache
    assert not response.cache_control.public


def test_health_is_never_cached(client):
    assert client.get("/healthz").cache_control.no_store


def test_lists_carry_an_etag_and_answer_304_until_something_changes(client, curator):
    helpers.obj(client, curator, status="public")
    first = client.get("/api/v1/objects")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/objects", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    helpers.obj(client, curator, status="public")
    changed = client.get("/api/v1/objects", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_records_carry_last_modified_and_answer_if_modified_since(client, curator):
    record = helpers.obj(client, curator, status="public")
    response = client.get(f"/api/v1/objects/{record['id']}")
    last_modified = response.headers["Last-Modified"]
    assert last_modified.endswith("GMT")
    again = client.get(
        f"/api/v1/objects/{record['id']}", headers={"If-Modified-Since": last_modified}
    )
    assert again.status_code == 304
    linked_art = client.get(
        f"/linked-art/objects/{record['id']}", headers={"If-Modified-Since": last_modified}
    )
    assert linked_art.status_code == 304
    old = client.get(
        f"/api/v1/objects/{record['id']}",
        headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
    )
    assert old.status_code == 200


def test_cors_allows_reads_from_any_origin_without_credentials(client, curator):
    helpers.obj(client, curator, status="public")
    origin = {"Origin": "https://www.lacoupole.example"}
    response = client.get("/api/v1/objects", headers=origin)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = client.options(
        "/api/v1/objects",
        headers={
            **origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD"


def test_cors_refuses_writes_and_credentials(client, curator):
    origin = {"Origin": "https://evil.example"}
    for method, headers in (
        ("POST", ""),
        ("DELETE", ""),
        ("GET", "Authorization"),
        ("GET", "Content-Type, X-Custom"),
    ):
        preflight = client.options(
            "/api/v1/objects",
            headers={
                **origin,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": headers,
            },
        )
        assert "Access-Control-Allow-Origin" not in preflight.headers, (method, headers)
    write = client.post("/api/v1/objects", json={}, headers={**origin, **curator.headers})
    assert "Access-Control-Allow-Origin" not in write.headers


def test_pages_are_never_shared_cached_and_vary_by_language(client, curator):
    record = helpers.obj(client, curator, status="public")
    page = client.get(f"/objects/{record['id']}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert not page.cache_control.public
    assert page.cache_control.private or page.cache_control.no_store
    assert "Accept-Language" in page.vary


def test_a_browser_cookie_never_changes_what_the_api_answers(client, curator):
    """A signed-in page session carries no weight on the API: it identifies callers by token
    only, so a browser with a session cookie gets the shared-cacheable public answer."""
    record = helpers.obj(client, curator, status="public")
    hidden = helpers.obj(client, curator, status="draft")
    client.get("/login")  # the page sets a session cookie in this browser
    assert client.get_cookie("session") is not None
    for path in (f"/api/v1/objects/{record['id']}", "/api/v1/objects", "/oai?verb=Identify"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers and "Cookie" not in response.vary
        assert response.cache_control.public
    assert client.get(f"/api/v1/objects/{hidden['id']}").status_code == 404
