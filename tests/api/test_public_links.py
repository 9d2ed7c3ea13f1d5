"""Absolute links: the configured public address, never a Host header a client forged.

Behind a load balancer every node must write the same links; with ``PUBLIC_BASE_URL`` set
they do, whatever Host a request carries. Without it (a development server) links take the
host that was asked.
"""

from __future__ import annotations

import re

import pytest

from tests import helpers

PUBLIC = "https://collections.museum.example"
FORGED = "http://evil.example"


@pytest.fixture
def records(client, curator):
    """Two public objects (lists of one per page have a next page) with a manifest."""
    return [helpers.obj(client, curator, status="public") for _ in range(2)]


def channels(records) -> list[str]:
    """Every anonymous read that writes absolute links."""
    first = records[0]["id"]
    return [
        "/api/v1/objects?per_page=1",
        "/api/v1/objects?per_page=1&page=2",
        "/api/v1/search?per_page=1",
        "/api/v1/changes?limit=1",
        "/oai?verb=Identify",
        "/oai?verb=ListRecords&metadataPrefix=lido",
        "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc",
        "/sitemap.xml",
        "/iiif/discovery/collection.json",
        "/iiif/discovery/pages/0.json",
        f"/iiif/3/objects/{first}/manifest",
        f"/linked-art/objects/{first}",
        f"/objects/{first}",
    ]


def answer(response) -> str:
    links = " ".join(response.headers.get(name, "") for name in ("Location", "Link"))
    return response.get_data(as_text=True) + links


def test_a_forged_host_never_reaches_a_link_when_the_public_address_is_set(
    app, client, records, monkeypatch
):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", PUBLIC)
    for path in channels(records):
        response = client.get(path, base_url=FORGED)
        assert response.status_code == 200, path
        text = answer(response)
        assert "evil.example" not in text, path
        assert PUBLIC in text, path


def test_every_node_writes_the_same_links(app, client, records, monkeypatch, tmp_path):
    from tests.nodes import node

    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", PUBLIC)
    with node(app, tmp_path, PUBLIC_BASE_URL=PUBLIC) as other:
        for path in channels(records):
            if path.startswith("/api/v1/search"):
                continue  # the other node's own index
            one = client.get(path, base_url="http://node-a.internal:8000")
            two = other.test_client().get(path, base_url="http://10.0.0.2:8000")
            assert without_response_date(answer(one)) == without_response_date(answer(two)), path


RESPONSE_DATE = re.compile(r"<responseDate>[^<]*</responseDate>")


def without_response_date(text: str) -> str:
    """An answer without OAI-PMH's ``responseDate``: the time it was sent, to the second, so
    two answers sent in different seconds differ there whichever node sent them."""
    return RESPONSE_DATE.sub("<responseDate/>", text)


def test_without_a_public_address_links_take_the_host_that_was_asked(client, records):
    response = client.get("/api/v1/objects?per_page=1", base_url="http://127.0.0.1:5000")
    assert response.get_json()["next"].startswith("http://127.0.0.1:5000/api/v1/objects?")
    page = client.get(f"/objects/{records[0]['id']}", base_url="http://127.0.0.1:5000")
    assert f"http://127.0.0.1:5000/objects/{records[0]['id']}" in page.get_data(as_text=True)
