"""Writing objects: every saved change is a version, writes need the ETag just read,
a deleted object leaves a tombstone and its number is never given again."""

from __future__ import annotations

import uuid

import pytest

from catalogue.extensions import db
from catalogue.services.errors import (
    Conflict,
    Forbidden,
    Gone,
    PreconditionFailed,
    PreconditionRequired,
    Unauthorized,
    ValidationFailed,
)
from catalogue.services.identity import ANONYMOUS
from catalogue.services.objects import read, versions
from catalogue.services.objects import write as objects_write
from tests.services.builders import (
    CURATOR,
    RESEARCHER,
    changes_of,
    etag,
    get,
    new_authority,
    new_object,
    patch,
    refused,
    versions_of,
)


def test_create_makes_the_first_version_and_logs_the_creation(ctx):
    record = new_object(status="public", title={"fr": "Casque Adrian", "en": "Adrian helmet"})
    assert record["version"] == 1
    assert record["created_at"] == record["updated_at"]
    assert versions_of(record) == [1]
    assert changes_of(record) == ["created"]
    first = versions.get_version(CURATOR, uuid.UUID(record["id"]), 1)
    assert first["created_by"] == CURATOR.email
    assert set(first["changed"]) == {"object_number", "status", "title"}
    assert get(record) == record


def test_a_patch_with_the_current_etag_makes_a_new_version(ctx):
    record = new_object(title={"fr": "Casque"}, description={"fr": "Acier"})
    saved = patch(record, {"title": {"fr": "Casque Adrian"}, "description": None})
    assert saved["version"] == 2
    assert saved["title"] == {"fr": "Casque Adrian"} and saved["description"] is None
    assert versions_of(record) == [1, 2]
    assert changes_of(record) == ["created", "updated"]
    second = versions.get_version(CURATOR, uuid.UUID(record["id"]), 2)
    assert set(second["changed"]) == {"title", "description"}
    assert second["record"] == saved


def test_a_stale_or_missing_etag_is_refused_and_nothing_changes(ctx):
    record = new_object(title={"fr": "Casque"})
    stale = etag(record)
    patch(record, {"title": {"fr": "Casque Adrian"}})
    object_id = uuid.UUID(record["id"])
    with refused(PreconditionFailed) as failed:
        objects_write.patch(CURATOR, object_id, {"title": {"fr": "Écrasé"}}, stale)
    assert failed.value.extra["current_etag"] == etag(record)
    with refused(PreconditionRequired):
        objects_write.patch(CURATOR, object_id, {"title": {"fr": "Écrasé"}}, None)
    with refused(PreconditionRequired):
        objects_write.replace(CURATOR, object_id, objects_write.load_input(record), [])
    with refused(PreconditionFailed):
        objects_write.delete(CURATOR, object_id, stale)
    assert get(record)["title"] == {"fr": "Casque Adrian"}
    assert versions_of(record) == [1, 2]


def test_the_etag_may_come_from_any_view_the_caller_reads(ctx):
    """If-Match holds the tag the caller read: a curator's is that of the staff view."""
    record = new_object(status="public")
    object_id = uuid.UUID(record["id"])
    with refused(PreconditionFailed):
        objects_write.patch(CURATOR, object_id, {"credit_line": "Don"}, etag(record, ANONYMOUS))
    saved = objects_write.patch(CURATOR, object_id, {"credit_line": "Don"}, etag(record)).data
    assert saved["credit_line"] == {"fr": "Don"}


def test_a_patch_that_changes_nothing_makes_no_version(ctx):
    record = new_object(title={"fr": "Casque"}, internal_notes="Vitrine 2")
    before = etag(record)
    saved = patch(record, {"title": {"fr": "Casque"}, "internal_notes": "Vitrine 2"})
    assert saved == record
    assert etag(record) == before
    assert versions_of(record) == [1]
    assert changes_of(record) == ["created"]


def test_replace_clears_what_the_new_record_leaves_out(ctx):
    record = new_object(
        title={"fr": "Casque"}, description={"fr": "Acier"}, internal_notes="Vitrine 2"
    )
    saved = objects_write.replace(
        CURATOR,
        uuid.UUID(record["id"]),
        objects_write.load_input(
            {"object_number": record["object_number"], "title": {"fr": "Casque M35"}}
        ),
        etag(record),
    ).data
    db.session.remove()
    assert saved["version"] == 2
    assert saved["title"] == {"fr": "Casque M35"}
    assert saved["description"] is None and saved["internal_notes"] is None
    assert get(record) == saved


def test_a_deleted_object_leaves_a_tombstone_and_its_number(ctx):
    record = new_object(status="public")
    object_id = uuid.UUID(record["id"])
    objects_write.delete(CURATOR, object_id, etag(record))
    db.session.remove()
    assert changes_of(record) == ["created", "deleted"]
    with refused(Gone):
        read.get(CURATOR, object_id)
    with refused(Gone):
        objects_write.patch(CURATOR, object_id, {"title": {"fr": "x"}}, "*")
    with refused(Gone):
        objects_write.delete(CURATOR, object_id, "*")
    # A deleted accession number is never given to another object.
    with refused(Conflict) as taken:
        new_object(object_number=record["object_number"])
    assert "deleted" in taken.value.detail
    other = new_object()
    with refused(Conflict):
        patch(other, {"object_number": record["object_number"]})
    assert get(other)["object_number"] == other["object_number"]


def test_a_number_in_use_is_refused(ctx):
    record = new_object()
    with refused(Conflict):
        new_object(object_number=record["object_number"])
    assert read.list_objects(CURATOR, {}).total == 1


def test_unknown_or_wrong_references_are_named_by_field(ctx):
    steel = new_authority("terms", vocabulary="material", label={"fr": "Acier"})
    with refused(ValidationFailed) as invalid:
        new_object(
            object_type={"id": steel["id"]},
            materials=[{"id": steel["id"]}, {"id": str(uuid.uuid4())}],
        )
    assert set(invalid.value.errors) == {"object_type.id", "materials.1.id"}
    assert "material term" in invalid.value.errors["object_type.id"][0]
    assert read.list_objects(CURATOR, {}).total == 0


@pytest.mark.parametrize(("caller", "error"), [(ANONYMOUS, Unauthorized), (RESEARCHER, Forbidden)])
def test_only_staff_write(ctx, caller, error):
    record = new_object(status="public")
    object_id = uuid.UUID(record["id"])
    data = objects_write.load_input({"object_number": "2026.9999.001", "title": {"fr": "x"}})
    with refused(error):
        objects_write.create(caller, data)
    with refused(error):
        objects_write.patch(caller, object_id, {"title": {"fr": "x"}}, "*")
    with refused(error):
        objects_write.replace(caller, object_id, data, "*")
    with refused(error):
        objects_write.delete(caller, object_id, "*")
    assert get(record) == record
    assert read.list_objects(CURATOR, {}).total == 1
