"""Linked Art: a HumanMadeObject built from the record as the caller may see it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from catalogue.extensions import db
from catalogue.services.errors import NotFound
from catalogue.services.feeds import linked_art
from catalogue.services.identity import ANONYMOUS
from catalogue.services.objects import locations
from catalogue.services.objects.views import dumps
from tests import helpers
from tests.services.builders import (
    CALLERS,
    CURATOR,
    RESEARCHER,
    new_authority,
    new_object,
    patch,
    refused,
)

BASE = "https://collections.museum.example"
INSTITUTION = "La Coupole"
AAT = "http://vocab.getty.edu/aat/"


def linked(record: dict, identity=ANONYMOUS) -> tuple[dict, str]:
    found = linked_art.get(identity, uuid.UUID(record["id"]), BASE, INSTITUTION, "fr")
    db.session.remove()
    return found


@pytest.fixture
def rocket(ctx):
    designer = new_authority("agents", kind="person", label={"fr": "Wernher von Braun"})
    works = new_authority("agents", kind="organisation", label={"fr": "Mittelwerk GmbH"})
    return new_object(
        status="public",
        object_number="1997.0001.001",
        title={"fr": "Fusée A4 (V2)", "en": "A4 (V2) rocket"},
        production={
            "date": {"display": "1944", "earliest": "1944-01-01", "latest": "1944-12-31"},
            "makers": [
                {"agent": {"id": designer["id"]}, "role": "designer"},
                {"agent": {"id": works["id"]}, "role": "manufacturer"},
            ],
        },
    )


def test_a_public_object_is_a_human_made_object(rocket):
    document, _ = linked(rocket)
    assert document["@context"] == "https://linked.art/ns/v1/linked-art.json"
    assert document["type"] == "HumanMadeObject"
    assert document["id"] == f"{BASE}/linked-art/objects/{rocket['id']}"
    assert document["_label"] == "Fusée A4 (V2)"  # the catalogue's default language
    names = {
        n["language"][0]["_label"]: n["content"]
        for n in document["identified_by"]
        if n["type"] == "Name"
    }
    assert names == {"French": "Fusée A4 (V2)", "English": "A4 (V2) rocket"}
    [number] = [i for i in document["identified_by"] if i["type"] == "Identifier"]
    assert number["content"] == "1997.0001.001"
    assert number["classified_as"][0]["id"] == AAT + "300312355"  # accession number
    assert document["current_owner"][0]["_label"] == INSTITUTION


def test_the_makers_carry_out_the_production(rocket):
    production = linked(rocket)[0]["produced_by"]
    makers = {m["_label"]: m for m in production["carried_out_by"]}
    makers_of_record = {
        m["agent"]["label"]["fr"]: m["agent"] for m in rocket["production"]["makers"]
    }
    assert makers == {
        "Wernher von Braun": {
            "id": f"{BASE}/api/v1/agents/{makers_of_record['Wernher von Braun']['id']}",
            "type": "Person",
            "_label": "Wernher von Braun",
        },
        "Mittelwerk GmbH": {
            "id": f"{BASE}/api/v1/agents/{makers_of_record['Mittelwerk GmbH']['id']}",
            "type": "Group",
            "_label": "Mittelwerk GmbH",
        },
    }
    assert production["timespan"]["begin_of_the_begin"] == "1944-01-01T00:00:00Z"
    assert production["timespan"]["end_of_the_end"] == "1944-12-31T23:59:59Z"


def test_the_entity_tag_follows_the_document(rocket):
    document, tag = linked(rocket)
    assert linked(rocket) == (document, tag)
    patch(rocket, {"title": {"fr": "Fusée A4"}})
    changed, new_tag = linked(rocket)
    assert changed["_label"] == "Fusée A4" and new_tag != tag


@pytest.mark.parametrize("status", ["draft", "internal"])
def test_a_hidden_object_does_not_exist_for_those_who_may_not_see_it(ctx, status):
    record = new_object(status=status, title={"fr": "Réserve"})
    for role, caller in CALLERS.items():
        if caller.can_see(status):
            assert linked(record, caller)[0]["_label"] == "Réserve", role
        else:
            with refused(NotFound):
                linked_art.get(caller, uuid.UUID(record["id"]), BASE, INSTITUTION, "fr")
    with refused(NotFound):
        linked_art.get(CURATOR, uuid.uuid4(), BASE, INSTITUTION, "fr")


@pytest.mark.parametrize("caller", [ANONYMOUS, RESEARCHER], ids=["anonymous", "researcher"])
def test_staff_only_fields_and_private_media_never_appear(app, ctx, caller):
    store = new_authority("locations", label={"fr": "Réserve blindée B7"}, kind="room")
    record = new_object(
        status="public",
        acquisition={"method": "don", "source": "Famille X", "source_contact": "06 12 34 56 78"},
        valuation={"amount": "98765.43", "currency": "EUR"},
        internal_notes="Clé du coffre chez le régisseur.",
    )
    locations.record_movement(
        CURATOR,
        uuid.UUID(record["id"]),
        {"to_location": uuid.UUID(store["id"]), "moved_at": datetime(2024, 1, 2, tzinfo=UTC)},
    )
    db.session.remove()
    helpers.media(app, record, public=True, caption="Vue de face")
    helpers.media(app, record, public=False, caption="Vue du socle abîmé")
    secrets = ("Réserve blindée B7", "06 12 34 56 78", "98765", "Clé du coffre", "socle abîmé")
    shown = dumps(linked(record, caller)[0])
    assert "Vue de face" in shown
    assert [secret for secret in secrets if secret in shown] == []
    # Staff see the private media in their own Linked Art.
    assert "Vue du socle abîmé" in dumps(linked(record, CURATOR)[0])
