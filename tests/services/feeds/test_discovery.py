"""IIIF Change Discovery: public manifest activities in fixed pages, oldest first."""

from __future__ import annotations

import uuid

import pytest

from catalogue.extensions import db
from catalogue.services.errors import NotFound
from catalogue.services.feeds import discovery
from catalogue.services.objects import write
from tests.services.builders import CURATOR, etag, new_object, patch, refused

BASE = "https://collections.museum.example"


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    monkeypatch.setattr(discovery, "PAGE_SIZE", 2)


def collection() -> dict:
    body = discovery.collection(BASE)
    db.session.remove()
    return body


def page(index: int) -> dict:
    body = discovery.page(BASE, index)
    db.session.remove()
    return body


def page_id(index: int) -> str:
    return f"{BASE}/iiif/discovery/pages/{index}.json"


def manifest(record: dict) -> str:
    return f"{BASE}/iiif/3/objects/{record['id']}/manifest"


def activities() -> list[dict]:
    """Every activity, walking the pages from the first by their ``next`` links."""
    found, url = [], collection()["first"]["id"]
    while url:
        body = page(int(url.rsplit("/", 1)[1].removesuffix(".json")))
        assert body["id"] == url
        found += body["orderedItems"]
        url = (body.get("next") or {}).get("id")
    return found


def test_only_changes_of_the_public_view_are_activities(ctx):
    shown = new_object(status="public")
    late = new_object(status="draft")
    patch(late, {"status": "public"})  # enters the public view: Create
    patch(shown, {"status": "internal"})  # leaves it: Delete
    hidden = new_object(status="internal")  # never public: nothing
    patch(hidden, {"title": {"fr": "Réserve"}})
    patch(late, {"title": {"fr": "Publié"}})  # Update
    write.delete(CURATOR, uuid.UUID(late["id"]), etag(late))  # Delete
    db.session.remove()
    found = activities()
    assert [(a["type"], a["object"]["id"]) for a in found] == [
        ("Create", manifest(shown)),
        ("Create", manifest(late)),
        ("Delete", manifest(shown)),
        ("Update", manifest(late)),
        ("Delete", manifest(late)),
    ]
    assert all(a["object"]["type"] == "Manifest" and a["endTime"].endswith("Z") for a in found)
    seqs = [int(a["id"].rsplit("/", 1)[1]) for a in found]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5
    assert all(a["id"].startswith(f"{BASE}/iiif/discovery/activities/") for a in found)
    assert manifest(hidden) not in str(found)


def test_the_collection_counts_activities_and_names_first_and_last_pages(ctx):
    for _ in range(5):
        new_object(status="public")
    new_object(status="draft")
    body = collection()
    assert body["@context"] == "http://iiif.io/api/discovery/1/context.json"
    assert body["id"] == f"{BASE}/iiif/discovery/collection.json"
    assert body["type"] == "OrderedCollection" and body["totalItems"] == 5
    assert body["first"] == {"id": page_id(0), "type": "OrderedCollectionPage"}
    assert body["last"] == {"id": page_id(2), "type": "OrderedCollectionPage"}


def test_pages_link_to_their_neighbours_and_end_at_the_last(ctx):
    for _ in range(5):
        new_object(status="public")
    first, middle, last = page(0), page(1), page(2)
    assert [len(p["orderedItems"]) for p in (first, middle, last)] == [2, 2, 1]
    assert [p["startIndex"] for p in (first, middle, last)] == [0, 2, 4]
    assert "prev" not in first and first["next"]["id"] == page_id(1)
    assert middle["prev"]["id"] == page_id(0) and middle["next"]["id"] == page_id(2)
    assert last["prev"]["id"] == page_id(1) and "next" not in last
    for body, index in ((first, 0), (middle, 1), (last, 2)):
        assert body["id"] == page_id(index) and body["type"] == "OrderedCollectionPage"
        assert body["partOf"]["id"] == f"{BASE}/iiif/discovery/collection.json"
    with refused(NotFound):
        discovery.page(BASE, 3)


def test_a_full_page_keeps_its_activities_and_once_followed_never_changes(ctx):
    for _ in range(2):
        new_object(status="public")
    full = page(0)
    assert "next" not in full  # the last page, for now
    record = new_object(status="public")
    # Its activities stay; it only learns of the page after it.
    followed = page(0)
    assert followed == {**full, "next": {"id": page_id(1), "type": "OrderedCollectionPage"}}
    patch(record, {"status": "internal"})
    for _ in range(3):
        new_object(status="public")
    assert page(0) == followed
    assert collection()["last"]["id"] == page_id(3)
    assert [a["type"] for a in page(1)["orderedItems"]] == ["Create", "Delete"]


def test_an_empty_collection_has_one_empty_page(ctx):
    new_object(status="draft")
    body = collection()
    assert body["totalItems"] == 0 and body["first"] == body["last"]
    empty = page(0)
    assert empty["orderedItems"] == [] and "next" not in empty and "prev" not in empty
    with refused(NotFound):
        discovery.page(BASE, 1)
