"""One text of a language map: the language asked for, else the default, else the first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from catalogue.extensions import db
from catalogue.services import labels
from catalogue.services.identity import ANONYMOUS
from catalogue.services.objects import locations, read
from tests.services.builders import CURATOR, new_authority, new_object

ROCKET = {"fr": "Fusée A4", "en": "A4 rocket", "de": "Aggregat 4"}


@pytest.mark.parametrize(
    ("value", "lang", "default", "expected"),
    [
        (ROCKET, "en", "fr", "A4 rocket"),
        (ROCKET, "nl", "de", "Aggregat 4"),  # no Dutch: the default language
        ({"en": "A4 rocket", "de": "Aggregat 4"}, "nl", "fr", "A4 rocket"),  # the first there is
        ({"fr": "", "en": "A4 rocket"}, "fr", "fr", "A4 rocket"),  # an empty text is no text
        ({"fr": "Fusée A4"}, None, None, "Fusée A4"),
        ("Fusée A4", "en", "fr", "Fusée A4"),  # not a map: as it is
    ],
)
def test_pick(value, lang, default, expected):
    assert labels.pick(value, lang, default) == expected


def test_pick_without_any_text_gives_the_fallback():
    assert labels.pick(None, "fr", "fr") is None
    assert labels.pick(None, "fr", "fr", fallback="") == ""
    assert labels.pick({}, "fr", "fr", fallback="?") == "?"
    assert labels.pick({"fr": "", "en": None}, "fr", "fr", fallback="?") == "?"


def test_label_of_a_reference():
    steel = {"id": str(uuid.uuid4()), "label": {"fr": "Acier", "en": "Steel"}, "uri": None}
    assert labels.label(steel, "en") == "Steel"
    assert labels.label(steel, "de", "fr") == "Acier"
    assert labels.label(None, "fr", fallback="") == ""
    assert labels.label({"id": steel["id"], "label": None}, "fr", fallback="-") == "-"


@pytest.fixture
def record(ctx):
    steel = new_authority("terms", vocabulary="material", label={"fr": "Acier", "en": "Steel"})
    kind = new_authority("terms", vocabulary="object_type", label={"fr": "Fusée"})
    maker = new_authority("agents", kind="organisation", label={"fr": "Mittelwerk"})
    place = new_authority("places", label={"fr": "Nordhausen"})
    store = new_authority("locations", kind="room", label={"fr": "Hall", "en": "Hall (EN)"})
    made = new_object(
        status="public",
        title=ROCKET,
        object_type={"id": kind["id"]},
        materials=[{"id": steel["id"]}],
        production={"place": {"id": place["id"]}, "makers": [{"agent": {"id": maker["id"]}}]},
        associated_places=[{"id": place["id"]}],
    )
    locations.record_movement(
        CURATOR,
        uuid.UUID(made["id"]),
        {"to_location": uuid.UUID(store["id"]), "moved_at": datetime(2024, 1, 1, tzinfo=UTC)},
    )
    db.session.remove()
    return made


def test_display_resolves_every_text_of_a_record_to_one_language(record):
    staff = read.get(CURATOR, uuid.UUID(record["id"])).data
    shown = labels.display(staff, "en", "fr")
    assert shown["display"] == {
        "title": "A4 rocket",
        "description": None,
        "credit_line": None,
        "object_type": "Fusée",
        "production_place": "Nordhausen",
        "makers": ["Mittelwerk"],
        "materials": ["Steel"],
        "techniques": [],
        "subjects": [],
        "associated_places": ["Nordhausen"],
        "associated_agents": [],
        "collections": [],
        "location": "Hall (EN)",
    }
    # The record itself is left as it was read.
    assert "display" not in staff
    assert {k: v for k, v in shown.items() if k != "display"} == staff


def test_display_shows_no_location_to_those_who_may_not_see_it(record):
    public = read.get(ANONYMOUS, uuid.UUID(record["id"])).data
    shown = labels.display(public, "de", "fr")["display"]
    assert "location" not in shown
    assert shown["title"] == "Aggregat 4" and shown["materials"] == ["Acier"]
