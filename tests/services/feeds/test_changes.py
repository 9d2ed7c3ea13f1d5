"""The changes feed read by each caller: what a change means to them, and cursors that resume
exactly where the last page ended."""

from __future__ import annotations

import uuid

import pytest

from catalogue.extensions import db
from catalogue.services.errors import BadRequest, ValidationFailed
from catalogue.services.feeds import changes
from catalogue.services.identity import ANONYMOUS
from catalogue.services.objects import write
from tests.services.builders import CURATOR, RESEARCHER, etag, new_object, patch, refused


def read(identity, since: str | None = None, limit: int = 100) -> changes.ChangesPage:
    page = changes.read(identity, since, limit)
    db.session.remove()
    return page


def events(identity, since: str | None = None) -> list[tuple[str, str]]:
    return [(e.event, e.id) for e in read(identity, since).items]


def delete(record: dict) -> None:
    write.delete(CURATOR, uuid.UUID(record["id"]), etag(record))
    db.session.remove()


def test_a_draft_never_reaches_anonymous(ctx):
    draft = new_object(title={"fr": "Brouillon"})
    patch(draft, {"title": {"fr": "Brouillon corrigé"}})
    patch(draft, {"status": "internal"})
    delete(draft)
    oid = draft["id"]
    assert events(ANONYMOUS) == []
    assert events(RESEARCHER) == [("published", oid), ("deleted", oid)]
    assert events(CURATOR) == [
        ("created", oid),
        ("updated", oid),
        ("updated", oid),
        ("deleted", oid),
    ]


def test_status_changes_publish_and_unpublish(ctx):
    shown = new_object(status="public", title={"fr": "Casque"})
    patch(shown, {"status": "internal"})
    patch(shown, {"status": "public"})
    patch(shown, {"title": {"fr": "Casque Adrian"}})
    late = new_object(status="draft")
    patch(late, {"status": "public"})
    delete(shown)
    a, b = shown["id"], late["id"]
    assert events(ANONYMOUS) == [
        ("created", a),
        ("unpublished", a),
        ("published", a),
        ("updated", a),
        ("published", b),
        ("deleted", a),
    ]
    assert events(RESEARCHER) == [
        ("created", a),
        ("updated", a),
        ("updated", a),
        ("updated", a),
        ("published", b),
        ("deleted", a),
    ]


def test_an_event_names_the_object_and_when_it_changed(ctx):
    record = new_object(status="public", object_number="1997.0042.001")
    [event] = read(ANONYMOUS).items
    assert event.as_item() == {
        "event": "created",
        "id": record["id"],
        "object_number": "1997.0042.001",
        "at": event.at,
    }
    assert event.at.endswith("Z") and event.at >= record["created_at"]


def test_a_cursor_resumes_after_the_last_event_given(ctx):
    made = [new_object(status="public")["id"] for _ in range(3)]
    new_object(status="draft")  # entries anonymous never sees, between the pages
    made += [new_object(status="public")["id"] for _ in range(2)]
    pages, since = [], None
    while True:
        page = read(ANONYMOUS, since, limit=2)
        pages.append([e.id for e in page.items])
        since = page.cursor
        if not page.has_more:
            break
    assert pages == [made[:2], made[2:4], made[4:]]
    # At the end: nothing more, and the cursor stays where it was.
    end = read(ANONYMOUS, since)
    assert (end.items, end.has_more, end.cursor) == ([], False, since)
    # What happens next is exactly what the next read gives.
    later = new_object(status="public")
    assert events(ANONYMOUS, since) == [("created", later["id"])]


def test_a_page_that_ends_with_the_log_says_there_is_no_more(ctx):
    for _ in range(2):
        new_object(status="public")
    page = read(ANONYMOUS, limit=2)
    assert len(page.items) == 2 and not page.has_more
    assert read(ANONYMOUS, limit=1).has_more


def test_a_cursor_from_a_staff_read_resumes_an_anonymous_read(ctx):
    new_object(status="public")
    since = read(CURATOR).cursor
    after = new_object(status="public")
    assert events(ANONYMOUS, since) == [("created", after["id"])]


@pytest.mark.parametrize(
    "cursor",
    [
        "yesterday",
        "c1.",
        "c1.!!!!",
        "c1.LTE",  # -1
        "c1.MDEw",  # "010": not how the feed writes 10
        "c1.MTA=",  # 10 with padding the feed never writes
        "c2.MTA",
        "c1." + "MTAw" * 10,
        "c1.MTA\x00",
    ],
)
def test_a_cursor_the_feed_did_not_give_out_is_a_bad_request(ctx, cursor):
    new_object(status="public")
    with refused(BadRequest):
        changes.read(ANONYMOUS, cursor)
    assert changes.decode_cursor(changes.encode_cursor(10)) == 10


@pytest.mark.parametrize("limit", [0, -1, 1001])
def test_a_limit_out_of_range_is_refused(ctx, limit):
    with refused(ValidationFailed) as caught:
        changes.read(ANONYMOUS, None, limit)
    assert list(caught.value.errors) == ["limit"]
