"""Authorities: written by staff with the ETag just read, kept while records use them,
listed with filters; locations are seen by staff only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from catalogue.extensions import db
from catalogue.services.authorities import records as authorities
from catalogue.services.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Unauthorized,
    ValidationFailed,
)
from catalogue.services.identity import ANONYMOUS
from catalogue.services.objects import locations
from tests.services.builders import CURATOR, RESEARCHER, new_authority, new_object, refused


def read(kind: str, item: dict, identity=CURATOR):
    found = authorities.get(identity, kind, uuid.UUID(item["id"]))
    db.session.remove()
    return found


def listed(kind: str, identity=CURATOR, /, **args) -> list[str]:
    """Labels (first language) of a listing, in order."""
    page = authorities.list_items(identity, kind, args)
    db.session.remove()
    return [next(iter(item["label"].values())) for item in page.items]


def test_a_term_is_created_patched_replaced_and_deleted(ctx):
    term = new_authority(
        "terms",
        vocabulary="material",
        label={"fr": "acier"},
        scope_note={"fr": "Alliage de fer"},
    )
    assert read("terms", term, ANONYMOUS).data == term
    item_id = uuid.UUID(term["id"])
    patched = authorities.patch(
        CURATOR, "terms", item_id, {"label": {"en": "steel"}}, read("terms", term).etag
    ).data
    db.session.remove()
    assert patched["label"] == {"fr": "acier", "en": "steel"}
    assert patched["scope_note"] == {"fr": "Alliage de fer"}
    replaced = authorities.replace(
        CURATOR,
        "terms",
        item_id,
        {"vocabulary": "material", "label": {"fr": "Acier"}},
        read("terms", term).etag,
    ).data
    db.session.remove()
    # Optional fields left out of a replacement are cleared.
    assert replaced["label"] == {"fr": "Acier"} and replaced["scope_note"] is None
    assert read("terms", term).data == replaced
    authorities.delete(CURATOR, "terms", item_id, read("terms", term).etag)
    db.session.remove()
    with refused(NotFound):
        read("terms", term)


def test_writes_need_the_etag_just_read(ctx):
    place = new_authority("places", label={"fr": "Wizernes"})
    item_id = uuid.UUID(place["id"])
    stale = read("places", place).etag
    authorities.patch(
        CURATOR, "places", item_id, {"uri": "https://www.wikidata.org/wiki/Q1"}, stale
    )
    db.session.remove()
    with refused(PreconditionFailed):
        authorities.patch(CURATOR, "places", item_id, {"label": {"fr": "x"}}, stale)
    with refused(PreconditionFailed):
        authorities.delete(CURATOR, "places", item_id, stale)
    with refused(PreconditionRequired):
        authorities.delete(CURATOR, "places", item_id, None)
    assert read("places", place).data["label"] == {"fr": "Wizernes"}


def test_a_patch_is_validated_as_a_whole(ctx):
    place = new_authority("places", label={"fr": "Wizernes"})
    with refused(ValidationFailed) as invalid:
        authorities.patch(CURATOR, "places", uuid.UUID(place["id"]), {"latitude": 50.7}, "*")
    assert "latitude" in invalid.value.errors
    with refused(ValidationFailed):
        authorities.patch(CURATOR, "places", uuid.UUID(place["id"]), {"label": None}, "*")
    assert read("places", place).data == place


def use(kind: str, item: dict) -> dict:
    """An object that uses the authority."""
    ref = {"id": item["id"]}
    if kind == "terms":
        return new_object(materials=[ref])
    if kind == "agents":
        return new_object(production={"makers": [{"agent": ref, "role": "fabricant"}]})
    if kind == "places":
        return new_object(associated_places=[ref])
    if kind == "collections":
        return new_object(collections=[ref])
    record = new_object()
    locations.record_movement(
        CURATOR,
        uuid.UUID(record["id"]),
        {"to_location": uuid.UUID(item["id"]), "moved_at": datetime(2024, 1, 1, tzinfo=UTC)},
    )
    db.session.remove()
    return record


AUTHORITIES = {
    "terms": {"vocabulary": "material", "label": {"fr": "Acier"}},
    "agents": {"kind": "organisation", "label": {"fr": "Krupp"}},
    "places": {"label": {"fr": "Essen"}},
    "collections": {"label": {"fr": "Armes secrètes"}},
    "locations": {"kind": "room", "label": {"fr": "Réserve"}},
}


@pytest.mark.parametrize("kind", list(AUTHORITIES))
def test_an_authority_in_use_cannot_be_deleted(ctx, kind):
    item = new_authority(kind, **AUTHORITIES[kind])
    use(kind, item)
    with refused(Conflict) as in_use:
        authorities.delete(CURATOR, kind, uuid.UUID(item["id"]), "*")
    assert "still in use" in in_use.value.detail
    assert read(kind, item).data == item


def test_a_location_holding_another_cannot_be_deleted_nor_put_inside_it(ctx):
    site = new_authority("locations", label={"fr": "La Coupole"}, kind="site")
    room = new_authority(
        "locations", label={"fr": "Réserve"}, kind="room", parent=uuid.UUID(site["id"])
    )
    assert [p["label"]["fr"] for p in read("locations", room).data["path"]] == [
        "La Coupole",
        "Réserve",
    ]
    with refused(Conflict):
        authorities.delete(CURATOR, "locations", uuid.UUID(site["id"]), "*")
    with refused(ValidationFailed) as cycle:
        authorities.patch(
            CURATOR, "locations", uuid.UUID(site["id"]), {"parent": {"id": room["id"]}}, "*"
        )
    assert list(cycle.value.errors) == ["parent.id"]
    assert read("locations", site).data["parent"] is None


def test_a_term_in_use_keeps_its_vocabulary(ctx):
    term = new_authority("terms", vocabulary="material", label={"fr": "Acier"})
    use("terms", term)
    with refused(Conflict):
        authorities.patch(CURATOR, "terms", uuid.UUID(term["id"]), {"vocabulary": "technique"}, "*")
    assert read("terms", term).data["vocabulary"] == "material"


@pytest.mark.parametrize(("caller", "error"), [(ANONYMOUS, Unauthorized), (RESEARCHER, Forbidden)])
def test_locations_are_seen_by_staff_only(ctx, caller, error):
    room = new_authority("locations", label={"fr": "Réserve"}, kind="room")
    with refused(error):
        authorities.get(caller, "locations", uuid.UUID(room["id"]))
    with refused(error):
        authorities.list_items(caller, "locations", {})
    assert listed("locations") == ["Réserve"]


@pytest.mark.parametrize(("caller", "error"), [(ANONYMOUS, Unauthorized), (RESEARCHER, Forbidden)])
def test_anyone_reads_terms_but_only_staff_write_them(ctx, caller, error):
    term = new_authority("terms", vocabulary="subject", label={"fr": "Déportation"})
    assert read("terms", term, caller).data == term
    assert listed("terms", caller) == ["Déportation"]
    with refused(error):
        authorities.create(caller, "terms", {"vocabulary": "subject", "label": {"fr": "V2"}})
    with refused(error):
        authorities.patch(caller, "terms", uuid.UUID(term["id"]), {"label": {"fr": "x"}}, "*")
    with refused(error):
        authorities.delete(caller, "terms", uuid.UUID(term["id"]), "*")
    assert listed("terms") == ["Déportation"]


def test_lists_filter_and_sort_by_label(ctx):
    for vocabulary, label, uri in (
        ("material", "Papier", "http://vocab.getty.edu/aat/300014109"),
        ("material", "acier", None),
        ("technique", "Soudure", None),
        ("material", "Acier inoxydable", None),
    ):
        new_authority("terms", vocabulary=vocabulary, label={"fr": label}, uri=uri)
    new_authority("agents", kind="person", label={"fr": "Wernher von Braun"})
    new_authority("agents", kind="organisation", label={"fr": "Krupp"})
    assert listed("terms", vocabulary="material") == ["acier", "Acier inoxydable", "Papier"]
    assert listed("terms", q="ACIER") == ["acier", "Acier inoxydable"]
    assert listed("terms", uri="http://vocab.getty.edu/aat/300014109") == ["Papier"]
    assert listed("agents", kind="person") == ["Wernher von Braun"]
    page = authorities.list_items(CURATOR, "terms", {"per_page": 3, "page": 2})
    assert page.total == 4 and [item["label"]["fr"] for item in page.items] == ["Soudure"]
    with refused(ValidationFailed):
        authorities.list_items(CURATOR, "agents", {"kind": "room"})


def french(kind: str, /, **args) -> list[str]:
    """French labels (else English) of a listing, in order."""
    page = authorities.list_items(CURATOR, kind, args)
    db.session.remove()
    return [item["label"].get("fr") or item["label"]["en"] for item in page.items]


def test_q_looks_in_the_label_texts_only_and_takes_every_character_literally(ctx):
    new_authority("terms", vocabulary="material", label={"fr": "Acier", "en": "Steel"})
    new_authority("terms", vocabulary="material", label={"fr": "Coton 100 %"})
    new_authority("terms", vocabulary="material", label={"en": "Brass"})
    # Language tags, JSON punctuation and LIKE wildcards are not in any label.
    for q in ("fr", "en", '"', ":", "{", "_", "\\", "a_i", "A%r"):
        assert french("terms", q=q) == [], q
    assert french("terms", q="%") == ["Coton 100 %"]
    assert french("terms", q="0 %") == ["Coton 100 %"]
    # Every language is searched; a match never spans two of them.
    assert french("terms", q="steel") == ["Acier"]
    assert french("terms", q="ass") == ["Brass"]
    assert french("terms", q="acier steel") == []


@pytest.mark.parametrize("q", ["épée", "Épée", "epee", "EPEE", "ÉPÉE", "pée", "  épée "])
def test_q_ignores_case_and_accents(ctx, q):
    new_authority("terms", vocabulary="object_type", label={"fr": "Épée"})
    new_authority("terms", vocabulary="object_type", label={"fr": "Fusée", "en": "Rocket"})
    new_authority("places", label={"fr": "L’Atelier d’Œuvres"})
    assert french("terms", q=q) == ["Épée"]
    assert french("places", q="l'atelier") == ["L’Atelier d’Œuvres"]


def test_lists_sort_by_the_label_in_the_default_language_ignoring_case_and_accents(ctx):
    for label in (
        {"en": "Zinc", "fr": "Zinc"},
        {"fr": "étain"},
        {"en": "Copper"},
        {"en": "Brass", "fr": "Laiton"},
        {"fr": "bronze"},
        {"fr": "Acier"},
    ):
        new_authority("terms", vocabulary="material", label=label)
    # Labels without a French text sort by their first language ("Copper").
    assert french("terms") == ["Acier", "bronze", "Copper", "étain", "Laiton", "Zinc"]
    # The same label twice: by id, so that pages never overlap.
    twins = [
        new_authority("terms", vocabulary=vocabulary, label={"fr": "Fer"})["id"]
        for vocabulary in ("material", "subject", "technique")
    ]
    page = authorities.list_items(CURATOR, "terms", {"q": "fer"})
    assert [item["id"] for item in page.items] == sorted(twins)


def test_q_and_the_order_follow_every_write(ctx):
    term = new_authority("terms", vocabulary="material", label={"fr": "Acier"})
    new_authority("terms", vocabulary="material", label={"fr": "Bronze"})
    item_id = uuid.UUID(term["id"])
    authorities.patch(CURATOR, "terms", item_id, {"label": {"fr": "Zinc"}}, "*")
    db.session.remove()
    assert french("terms", q="acier") == []
    assert french("terms", q="zinc") == ["Zinc"]
    assert french("terms") == ["Bronze", "Zinc"]
    authorities.replace(
        CURATOR, "terms", item_id, {"vocabulary": "material", "label": {"fr": "Airain"}}, "*"
    )
    db.session.remove()
    assert french("terms", q="zinc") == []
    assert french("terms", q="airain") == ["Airain"]
    assert french("terms") == ["Airain", "Bronze"]
