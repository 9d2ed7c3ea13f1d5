"""Reading objects: each caller gets the statuses and the fields its role may see."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from catalogue.extensions import db
from catalogue.services.errors import Gone, NotFound
from catalogue.services.identity import ANONYMOUS
from catalogue.services.objects import locations, read
from catalogue.services.objects import write as objects_write
from tests.services.builders import (
    CALLERS,
    CURATOR,
    RESEARCHER,
    etag,
    new_authority,
    new_object,
    refused,
)

SEES = {
    "anonymous": {"public"},
    "researcher": {"public", "internal"},
    "curator": {"public", "internal", "draft"},
    "admin": {"public", "internal", "draft"},
}


@pytest.fixture
def catalogue(ctx):
    """One object of each status, every staff-only field filled in, kept in a store."""
    store = new_authority("locations", label={"fr": "Réserve A"}, kind="room")
    records = {}
    for status in ("public", "internal", "draft"):
        record = new_object(
            status=status,
            object_number=f"1997.{status}.001",
            title={"fr": f"Objet {status}"},
            acquisition={"method": "don", "source": "Famille X", "source_contact": "06 12"},
            valuation={"amount": "1250.00", "currency": "EUR", "date": "2024-05-01"},
            internal_notes="Fragile: deux personnes pour le déplacer.",
        )
        locations.record_movement(
            CURATOR,
            uuid.UUID(record["id"]),
            {"to_location": uuid.UUID(store["id"]), "moved_at": datetime(2024, 1, 2, tzinfo=UTC)},
        )
        db.session.remove()
        records[status] = record
    return records


@pytest.mark.parametrize("role", list(CALLERS))
def test_each_role_reads_the_statuses_it_may_see(catalogue, role):
    caller = CALLERS[role]
    for status, record in catalogue.items():
        if status in SEES[role]:
            assert read.get(caller, uuid.UUID(record["id"])).data["status"] == status
            by_number = read.get_by_number(caller, record["object_number"])
            assert by_number.data["id"] == record["id"]
        else:
            with refused(NotFound):
                read.get(caller, uuid.UUID(record["id"]))
            with refused(NotFound):
                read.get_by_number(caller, record["object_number"])


@pytest.mark.parametrize("role", ["anonymous", "researcher"])
def test_staff_only_fields_are_absent_for_other_callers(catalogue, role):
    record = read.get(CALLERS[role], uuid.UUID(catalogue["public"]["id"])).data
    for name in ("location", "valuation", "internal_notes"):
        assert name not in record
    assert record["acquisition"] == {"method": "don", "date": None, "source": "Famille X"}
    listed = read.list_objects(CALLERS[role], {"status": "public"}).items
    assert [item.data for item in listed] == [record]


@pytest.mark.parametrize("role", ["curator", "admin"])
def test_staff_read_every_field(catalogue, role):
    record = read.get(CALLERS[role], uuid.UUID(catalogue["draft"]["id"])).data
    assert record["location"]["label"] == {"fr": "Réserve A"}
    assert record["valuation"] == {"amount": "1250.00", "currency": "EUR", "date": "2024-05-01"}
    assert record["internal_notes"] == "Fragile: deux personnes pour le déplacer."
    assert record["acquisition"]["source_contact"] == "06 12"


def test_each_view_has_its_own_etag(catalogue):
    record = catalogue["public"]
    tags = {etag(record, CALLERS[role]) for role in ("anonymous", "researcher", "curator")}
    # The public and research views of a public object hold the same fields.
    assert len(tags) == 2


@pytest.mark.parametrize("role", list(CALLERS))
def test_lists_hold_only_what_the_caller_may_see(catalogue, role):
    page = read.list_objects(CALLERS[role], {})
    assert page.total == len(SEES[role])
    assert {item.data["status"] for item in page.items} == SEES[role]
    # Asking for a status the caller may not see finds nothing rather than an error.
    assert read.list_objects(CALLERS[role], {"status": "draft"}).total == (
        1 if "draft" in SEES[role] else 0
    )


def test_lists_sort_and_page(catalogue):
    numbers = [item.data["object_number"] for item in read.list_objects(CURATOR, {}).items]
    assert numbers == ["1997.draft.001", "1997.internal.001", "1997.public.001"]
    backwards = read.list_objects(CURATOR, {"sort": "-object_number", "per_page": 2})
    assert [item.data["object_number"] for item in backwards.items] == [
        "1997.public.001",
        "1997.internal.001",
    ]
    assert backwards.total == 3 and backwards.has_next
    second = read.list_objects(CURATOR, {"sort": "-object_number", "per_page": 2, "page": 2})
    assert [item.data["object_number"] for item in second.items] == ["1997.draft.001"]
    assert not second.has_next


def test_a_deleted_object_is_gone_for_those_who_saw_it(ctx):
    public = new_object(status="public")
    draft = new_object(status="draft")
    for record in (public, draft):
        objects_write.delete(CURATOR, uuid.UUID(record["id"]), etag(record))
        db.session.remove()
    with refused(Gone) as gone:
        read.get(ANONYMOUS, uuid.UUID(public["id"]))
    assert gone.value.extra["object_number"] == public["object_number"]
    with refused(Gone):
        read.get_by_number(RESEARCHER, public["object_number"])
    # A draft was never seen by the public: for them it never existed.
    with refused(NotFound):
        read.get(ANONYMOUS, uuid.UUID(draft["id"]))
    with refused(NotFound):
        read.get_by_number(RESEARCHER, draft["object_number"])
    with refused(Gone):
        read.get_by_number(CURATOR, draft["object_number"])
    assert read.list_objects(CURATOR, {}).total == 0


def test_unknown_ids_and_numbers_are_not_found(ctx):
    new_object(status="public", object_number="2026.0001.001")
    with refused(NotFound):
        read.get(CURATOR, uuid.uuid4())
    with refused(NotFound):
        read.get_by_number(CURATOR, "2026.0001.002")
    # No accession number holds a NUL (and PostgreSQL text cannot): not found, not a crash.
    with refused(NotFound):
        read.get_by_number(CURATOR, "2026.0001.001\x00")


def test_lists_filter_by_type_collection_and_media(ctx):
    helmet = new_authority("terms", vocabulary="object_type", label={"fr": "Casque"})
    weapons = new_authority("collections", label={"fr": "Armes"})
    typed = new_object(status="public", object_type={"id": helmet["id"]})
    collected = new_object(status="public", collections=[{"id": weapons["id"]}])
    new_object(status="public")

    def found(args) -> list[str]:
        return [item.data["id"] for item in read.list_objects(ANONYMOUS, args).items]

    assert found({"object_type": uuid.UUID(helmet["id"])}) == [typed["id"]]
    assert found({"collection": uuid.UUID(weapons["id"])}) == [collected["id"]]
    assert found({"has_media": True}) == []
    assert len(found({"has_media": False})) == 3
