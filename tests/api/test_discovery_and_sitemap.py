"""IIIF Change Discovery and the sitemap: the public view, complete and in order."""

from __future__ import annotations

from lxml import etree

from catalogue.services.feeds import discovery
from tests import helpers

SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def change_status(client, caller, record, status):
    _, etag = helpers.read(client, caller, record)
    response = client.patch(
        f"/api/v1/objects/{record['id']}",
        json={"status": status},
        headers={**caller.headers, "If-Match": etag},
    )
    assert response.status_code == 200


def test_change_discovery_lists_public_manifest_activities_in_pages(client, curator, monkeypatch):
    monkeypatch.setattr(discovery, "PAGE_SIZE", 2)
    shown = helpers.obj(client, curator, status="public")
    draft = helpers.obj(client, curator, status="draft")
    change_status(client, curator, draft, "public")  # enters the public view: Create
    change_status(client, curator, shown, "internal")  # leaves it: Delete
    helpers.obj(client, curator, status="internal")  # never public: absent

    collection = client.get("/iiif/discovery/collection.json").get_json()
    assert collection["type"] == "OrderedCollection"
    assert collection["@context"] == "http://iiif.io/api/discovery/1/context.json"
    assert collection["totalItems"] == 3
    page_url = collection["first"]["id"]
    activities = []
    while page_url:
        page = client.get(page_url.removeprefix("http://localhost")).get_json()
        assert page["type"] == "OrderedCollectionPage"
        activities += page["orderedItems"]
        page_url = (page.get("next") or {}).get("id")
    assert collection["last"]["id"].endswith("/pages/1.json")
    manifest = "http://localhost/iiif/3/objects/{}/manifest"
    assert [(a["type"], a["object"]["id"]) for a in activities] == [
        ("Create", manifest.format(shown["id"])),
        ("Create", manifest.format(draft["id"])),
        ("Delete", manifest.format(shown["id"])),
    ]
    assert all(a["object"]["type"] == "Manifest" and a["endTime"].endswith("Z") for a in activities)
    assert client.get("/iiif/discovery/pages/9.json").status_code == 404


def test_an_empty_discovery_collection(client):
    collection = client.get("/iiif/discovery/collection.json").get_json()
    assert collection["totalItems"] == 0
    assert client.get(collection["first"]["id"].removeprefix("http://localhost")).status_code == 200


def test_sitemap_lists_public_object_pages_only(app, client, curator, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://collections.lacoupole.example")
    public = helpers.obj(client, curator, status="public")
    helpers.obj(client, curator, status="internal")
    helpers.obj(client, curator, status="draft")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    doc = etree.fromstring(response.data)
    urls = [loc.text for loc in doc.iterfind("s:url/s:loc", SITEMAP)]
    assert urls == [f"https://collections.lacoupole.example/objects/{public['id']}"]
    assert doc.findtext("s:url/s:lastmod", namespaces=SITEMAP) == public["updated_at"]


def test_a_large_sitemap_becomes_an_index_of_parts(client, curator, monkeypatch):
    from catalogue.services.feeds import sitemap

    monkeypatch.setattr(sitemap, "URLS_PER_SITEMAP", 2)
    made = {helpers.obj(client, curator, status="public")["id"] for _ in range(3)}
    index = etree.fromstring(client.get("/sitemap.xml").data)
    parts = [loc.text for loc in index.iterfind("s:sitemap/s:loc", SITEMAP)]
    assert parts == ["http://localhost/sitemaps/0.xml", "http://localhost/sitemaps/1.xml"]
    found = set()
    for part in parts:
        doc = etree.fromstring(client.get(part.removeprefix("http://localhost")).data)
        found |= {loc.text.rsplit("/", 1)[1] for loc in doc.iterfind("s:url/s:loc", SITEMAP)}
    assert found == made
    assert client.get("/sitemaps/2.xml").status_code == 404
