"""An object's versions: listed newest first, read as saved, restored as a new version."""

from __future__ import annotations

import uuid

import pytest

from catalogue.extensions import db
from catalogue.services.authorities import records as authorities
from catalogue.services.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    Unauthorized,
    ValidationFailed,
)
from catalogue.services.identity import ANONYMOUS
from catalogue.services.objects import versions
from tests.services.builders import (
    CURATOR,
    RESEARCHER,
    etag,
    get,
    new_authority,
    new_object,
    patch,
    refused,
    versions_of,
)


def listed(record: dict, identity=CURATOR, **args) -> list[dict]:
    page = versions.list_versions(identity, uuid.UUID(record["id"]), args)
    db.session.remove()
    return page.items


def restore(record: dict, number: int) -> dict:
    object_id = uuid.UUID(record["id"])
    saved = versions.restore(CURATOR, object_id, number, etag(record)).data
    db.session.remove()
    return saved


def test_versions_are_listed_newest_first_with_what_changed(ctx):
    record = new_object(status="public", title={"fr": "Casque"})
    patch(record, {"title": {"fr": "Casque Adrian"}})
    patch(record, {"description": {"fr": "Acier peint"}})
    found = listed(record)
    assert [(v["number"], v["changed"]) for v in found] == [
        (3, ["description"]),
        (2, ["title"]),
        (1, ["object_number", "status", "title"]),
    ]
    assert {v["created_by"] for v in found} == {CURATOR.email}
    assert "record" not in found[0]
    paged = versions.list_versions(CURATOR, uuid.UUID(record["id"]), {"per_page": 2, "page": 2})
    assert paged.total == 3 and [v["number"] for v in paged.items] == [1]


def test_one_version_is_the_record_as_saved_then(ctx):
    record = new_object(title={"fr": "Casque"})
    patch(record, {"title": {"fr": "Casque Adrian"}})
    first = versions.get_version(CURATOR, uuid.UUID(record["id"]), 1)
    assert first["record"] == record
    with refused(NotFound):
        versions.get_version(CURATOR, uuid.UUID(record["id"]), 3)


def test_researchers_see_neither_staff_only_fields_nor_their_changes(ctx):
    record = new_object(status="public", title={"fr": "Casque"})
    patch(record, {"internal_notes": "Fragile", "title": {"fr": "Casque Adrian"}})
    patch(record, {"acquisition": {"source": "Famille X", "source_contact": "06 12"}})
    found = listed(record, RESEARCHER)
    assert [v["changed"] for v in found] == [
        ["acquisition"],
        ["title"],
        ["object_number", "status", "title"],
    ]
    second = versions.get_version(RESEARCHER, uuid.UUID(record["id"]), 2)
    assert "internal_notes" not in second["record"]
    assert second["record"]["title"] == {"fr": "Casque Adrian"}
    third = versions.get_version(RESEARCHER, uuid.UUID(record["id"]), 3)
    assert third["record"]["acquisition"] == {"method": None, "date": None, "source": "Famille X"}
    staff = versions.get_version(CURATOR, uuid.UUID(record["id"]), 3)
    assert staff["changed"] == ["acquisition", "acquisition.source_contact"]


def test_researchers_never_see_versions_saved_as_drafts(ctx):
    record = new_object(status="draft", title={"fr": "Brouillon"})
    patch(record, {"status": "internal"})
    assert [v["number"] for v in listed(record, RESEARCHER)] == [2]
    with refused(NotFound):
        versions.get_version(RESEARCHER, uuid.UUID(record["id"]), 1)


def test_versions_of_objects_the_caller_cannot_see(ctx):
    record = new_object(status="draft")
    object_id = uuid.UUID(record["id"])
    with refused(Unauthorized):
        versions.list_versions(ANONYMOUS, object_id, {})
    with refused(NotFound):
        versions.list_versions(RESEARCHER, object_id, {})
    with refused(NotFound):
        versions.get_version(RESEARCHER, object_id, 1)


def test_restore_saves_the_old_record_as_a_new_version(ctx):
    record = new_object(title={"fr": "Casque"}, internal_notes="Vitrine 2")
    patch(record, {"title": {"fr": "Casque abîmé"}, "internal_notes": None})
    restored = restore(record, 1)
    assert restored["version"] == 3
    assert restored["title"] == {"fr": "Casque"} and restored["internal_notes"] == "Vitrine 2"
    assert versions_of(record) == [1, 2, 3]
    third = versions.get_version(CURATOR, uuid.UUID(record["id"]), 3)
    assert third["note"] == "Restored from version 1"
    assert set(third["changed"]) == {"title", "internal_notes"}
    assert get(record) == restored


def test_restore_needs_staff_the_current_etag_and_an_existing_version(ctx):
    record = new_object(status="public", title={"fr": "Casque"})
    stale = etag(record)
    patch(record, {"title": {"fr": "Casque Adrian"}})
    object_id = uuid.UUID(record["id"])
    with refused(PreconditionFailed):
        versions.restore(CURATOR, object_id, 1, stale)
    with refused(Forbidden):
        versions.restore(RESEARCHER, object_id, 1, "*")
    with refused(NotFound):
        versions.restore(CURATOR, object_id, 7, "*")
    assert versions_of(record) == [1, 2]


@pytest.mark.parametrize("cause", ["authority deleted", "number taken"])
def test_restore_refuses_a_record_no_longer_valid(ctx, cause):
    steel = new_authority("terms", vocabulary="material", label={"fr": "Acier"})
    record = new_object(materials=[{"id": steel["id"]}], object_number="2026.0500.001")
    patch(record, {"materials": [], "object_number": "2026.0500.002"})
    if cause == "authority deleted":
        authorities.delete(CURATOR, "terms", uuid.UUID(steel["id"]), "*")
        db.session.remove()
        error = ValidationFailed
    else:
        new_object(object_number="2026.0500.001")
        error = Conflict
    with refused(error):
        restore(record, 1)
    assert versions_of(record) == [1, 2]
