"""Records show what they link to as it is now: a renamed authority or related object is
shown renamed in every record using it, without a new version of those records."""

from __future__ import annotations

import uuid

from catalogue.extensions import db
from catalogue.services.authorities import records as authorities
from catalogue.services.identity import ANONYMOUS
from catalogue.services.objects import write as objects_write
from tests.services.builders import (
    CURATOR,
    changes_of,
    etag,
    get,
    new_authority,
    new_object,
    patch,
    versions_of,
)


def relabel(kind: str, item: dict, label: dict) -> dict:
    current = authorities.get(CURATOR, kind, uuid.UUID(item["id"]))
    saved = authorities.patch(
        CURATOR, kind, uuid.UUID(item["id"]), {"label": label}, current.etag
    ).data
    db.session.remove()
    return saved


def test_renaming_an_authority_rerenders_the_records_using_it_without_a_version(ctx):
    steel = new_authority("terms", vocabulary="material", label={"fr": "acier", "en": "steel"})
    using = new_object(status="public", materials=[{"id": steel["id"]}])
    other = new_object(status="public")
    public_tag = etag(using, ANONYMOUS)
    relabel("terms", steel, {"fr": "Acier", "en": "Steel"})
    shown = get(using, ANONYMOUS)
    assert shown["materials"] == [
        {"id": steel["id"], "label": {"fr": "Acier", "en": "Steel"}, "uri": None}
    ]
    assert etag(using, ANONYMOUS) != public_tag
    # The record is the same version: feeds learn of it from an ``updated`` change.
    assert shown["version"] == 1 and versions_of(using) == [1]
    assert changes_of(using) == ["created", "updated"]
    assert changes_of(other) == ["created"]
    assert get(other) == other


def test_an_authority_saved_unchanged_rerenders_nothing(ctx):
    maker = new_authority("agents", kind="organisation", label={"fr": "Krupp"})
    using = new_object(production={"makers": [{"agent": {"id": maker["id"]}}]})
    relabel("agents", maker, {"fr": "Krupp"})
    assert changes_of(using) == ["created"]


def test_every_field_that_shows_an_authority_follows_it(ctx):
    place = new_authority("places", label={"fr": "Essen"})
    record = new_object(
        production={"place": {"id": place["id"]}}, associated_places=[{"id": place["id"]}]
    )
    relabel("places", place, {"fr": "Essen (Ruhr)"})
    shown = get(record)
    assert shown["production"]["place"]["label"] == {"fr": "Essen (Ruhr)"}
    assert shown["associated_places"][0]["label"] == {"fr": "Essen (Ruhr)"}
    assert changes_of(record) == ["created", "updated"]


def test_a_renamed_related_object_is_shown_renamed(ctx):
    rocket = new_object(status="public", title={"fr": "Fusée"})
    part = new_object(
        status="public", related_objects=[{"id": rocket["id"], "relation": "part_of"}]
    )
    patch(rocket, {"object_number": "1944.0001.001", "title": {"fr": "Fusée A4"}})
    shown = get(part, ANONYMOUS)
    assert shown["related_objects"] == [
        {
            "id": rocket["id"],
            "object_number": "1944.0001.001",
            "title": {"fr": "Fusée A4"},
            "status": "public",
            "relation": "part_of",
        }
    ]
    assert versions_of(part) == [1]
    assert changes_of(part) == ["created", "updated"]
    # A change the related record does not show (its notes) leaves the other one alone.
    patch(rocket, {"internal_notes": "Réserve"})
    assert changes_of(part) == ["created", "updated"]


def test_a_deleted_related_object_leaves_the_records_pointing_at_it(ctx):
    rocket = new_object(status="public", title={"fr": "Fusée"})
    part = new_object(
        status="public", related_objects=[{"id": rocket["id"], "relation": "part_of"}]
    )
    objects_write.delete(CURATOR, uuid.UUID(rocket["id"]), etag(rocket))
    db.session.remove()
    shown = get(part)
    assert shown["related_objects"] == []
    assert versions_of(part) == [1]
    assert changes_of(part) == ["created", "updated"]
