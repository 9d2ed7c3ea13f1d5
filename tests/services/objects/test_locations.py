"""Where an object is: the latest movement sets its location; condition checks newest first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from catalogue.extensions import db
from catalogue.models import Condition
from catalogue.services.errors import Forbidden, NotFound, Unauthorized, ValidationFailed
from catalogue.services.identity import ANONYMOUS
from catalogue.services.objects import locations
from tests.services.builders import (
    CURATOR,
    RESEARCHER,
    changes_of,
    get,
    new_authority,
    new_object,
    refused,
    versions_of,
)


def day(n: int) -> datetime:
    return datetime(2024, 3, n, 9, 30, tzinfo=UTC)


def move(record: dict, to: dict, moved_at: datetime | None = None, reason=None) -> dict:
    data = {"to_location": uuid.UUID(to["id"]), "moved_at": moved_at, "reason": reason}
    movement = locations.record_movement(CURATOR, uuid.UUID(record["id"]), data)
    db.session.remove()
    return movement


def moves(record: dict, identity=CURATOR) -> list[tuple]:
    page = locations.list_movements(identity, uuid.UUID(record["id"]), {})
    db.session.remove()
    return [
        (
            m["from_location"] and m["from_location"]["label"]["fr"],
            m["to_location"]["label"]["fr"],
            m["moved_at"],
        )
        for m in page.items
    ]


@pytest.fixture
def rooms(ctx):
    return {
        name: new_authority("locations", label={"fr": name}, kind="room")
        for name in ("Réserve", "Salle 1", "Atelier")
    }


def test_the_latest_movement_sets_the_location(rooms):
    record = new_object(status="public")
    moved = move(record, rooms["Réserve"], day(1), reason="Entrée")
    assert moved["from_location"] is None and moved["moved_by"] == CURATOR.email
    assert get(record)["location"]["label"] == {"fr": "Réserve"}
    move(record, rooms["Salle 1"], day(5))
    assert get(record)["location"]["label"] == {"fr": "Salle 1"}
    # The location is staff-only; moving makes no version, but feeds hear of the change.
    assert "location" not in get(record, ANONYMOUS)
    assert versions_of(record) == [1]
    assert changes_of(record) == ["created", "updated", "updated"]


def test_a_movement_recorded_late_does_not_move_the_object_back(rooms):
    record = new_object()
    move(record, rooms["Réserve"], day(1))
    move(record, rooms["Salle 1"], day(10))
    late = move(record, rooms["Atelier"], day(5))
    # It went from the store to the workshop, then from the workshop to the gallery.
    assert late["from_location"]["label"] == {"fr": "Réserve"}
    assert get(record)["location"]["label"] == {"fr": "Salle 1"}
    assert moves(record) == [
        ("Atelier", "Salle 1", "2024-03-10T09:30:00Z"),
        ("Réserve", "Atelier", "2024-03-05T09:30:00Z"),
        (None, "Réserve", "2024-03-01T09:30:00Z"),
    ]


def test_a_movement_before_all_the_others_starts_from_an_unknown_place(rooms):
    record = new_object()
    move(record, rooms["Salle 1"], day(10))
    first = move(record, rooms["Atelier"], day(5))
    # Where the object was before its first known movement is not known.
    assert first["from_location"] is None
    assert moves(record) == [
        ("Atelier", "Salle 1", "2024-03-10T09:30:00Z"),
        (None, "Atelier", "2024-03-05T09:30:00Z"),
    ]
    assert get(record)["location"]["label"] == {"fr": "Salle 1"}
    # Recorded later, on the same day as the latest: it comes after it and moves the object.
    move(record, rooms["Réserve"], day(10))
    assert moves(record)[0] == ("Salle 1", "Réserve", "2024-03-10T09:30:00Z")
    assert get(record)["location"]["label"] == {"fr": "Réserve"}


def test_a_movement_in_the_future_or_to_nowhere_is_refused(rooms):
    record = new_object()
    move(record, rooms["Réserve"], day(1))
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    with refused(ValidationFailed) as future:
        move(record, rooms["Salle 1"], tomorrow)
    assert list(future.value.errors) == ["moved_at"]
    with refused(ValidationFailed) as nowhere:
        locations.record_movement(CURATOR, uuid.UUID(record["id"]), {"to_location": uuid.uuid4()})
    assert list(nowhere.value.errors) == ["to_location.id"]
    assert get(record)["location"]["label"] == {"fr": "Réserve"}
    assert len(moves(record)) == 1


def test_a_movement_without_a_date_is_now(rooms):
    record = new_object()
    before = datetime.now(UTC).replace(microsecond=0)
    moved = move(record, rooms["Atelier"])
    at = datetime.strptime(moved["moved_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before <= at <= datetime.now(UTC)


def test_condition_checks_are_listed_newest_first_whatever_the_order_recorded(ctx):
    record = new_object()
    object_id = uuid.UUID(record["id"])
    for n, condition in ((4, Condition.fair), (1, Condition.good), (9, Condition.poor)):
        locations.record_condition_check(
            CURATOR, object_id, {"checked_at": day(n), "condition": condition, "notes": f"{n}"}
        )
        db.session.remove()
    page = locations.list_condition_checks(CURATOR, object_id, {})
    assert [(c["condition"], c["checked_at"]) for c in page.items] == [
        ("poor", "2024-03-09T09:30:00Z"),
        ("fair", "2024-03-04T09:30:00Z"),
        ("good", "2024-03-01T09:30:00Z"),
    ]
    assert {c["checked_by"] for c in page.items} == {CURATOR.email}
    with refused(ValidationFailed):
        locations.record_condition_check(
            CURATOR,
            object_id,
            {"checked_at": datetime.now(UTC) + timedelta(hours=1), "condition": "good"},
        )
    assert locations.list_condition_checks(CURATOR, object_id, {}).total == 3


def test_movements_and_checks_are_for_staff_only(rooms):
    public = new_object(status="public")
    draft = new_object(status="draft")
    for identity, error in ((ANONYMOUS, Unauthorized), (RESEARCHER, Forbidden)):
        with refused(error):
            locations.list_movements(identity, uuid.UUID(public["id"]), {})
        with refused(error):
            locations.list_condition_checks(identity, uuid.UUID(public["id"]), {})
        with refused(error):
            locations.record_movement(
                identity,
                uuid.UUID(public["id"]),
                {"to_location": uuid.UUID(rooms["Atelier"]["id"])},
            )
    # An object the researcher may not read is not found, rather than forbidden.
    with refused(NotFound):
        locations.list_movements(RESEARCHER, uuid.UUID(draft["id"]), {})
    assert moves(public) == []
