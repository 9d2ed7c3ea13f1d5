"""Search documents: only what the public may read goes into the index, and the digest that
tells a stale entry changes with what is searched."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from catalogue.extensions import db
from catalogue.models import CatalogueObject
from catalogue.services.objects import locations
from catalogue.services.search import sync as search_sync
from catalogue.services.search.documents import search_document
from tests import helpers
from tests.services.builders import CURATOR, new_authority, new_object, patch

SECRETS = ("Réserve blindée B7", "06 12 34 56 78", "98765", "Clé du coffre", "socle abîmé")


@pytest.fixture(autouse=True)
def empty_index(app):
    """The database is emptied between tests, so the index must be too."""
    with app.app_context():
        search_sync.engine(app).store.clear()


def stored_document(record: dict) -> dict:
    document = db.session.get(CatalogueObject, uuid.UUID(record["id"])).document
    db.session.remove()
    return document


@pytest.fixture
def guarded(app, ctx):
    """A public object with every staff-only field filled in, a public and a private image."""
    store = new_authority("locations", label={"fr": "Réserve blindée B7"}, kind="room")
    maker = new_authority("agents", kind="organisation", label={"fr": "Mittelwerk GmbH"})
    record = new_object(
        status="public",
        title={"fr": "Fusée A4", "en": "A4 rocket"},
        production={
            "date": {"display": "vers 1944", "earliest": "1943-06-01", "latest": "1944-12-31"},
            "makers": [{"agent": {"id": maker["id"]}, "role": "fabricant"}],
        },
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
    return record


def test_staff_only_fields_and_private_media_never_reach_the_index(guarded):
    document = stored_document(guarded)
    # The stored record holds them all: the search document leaves them out.
    assert all(secret in json.dumps(document, ensure_ascii=False) for secret in SECRETS)
    search = json.dumps(search_document(document), ensure_ascii=False)
    assert [secret for secret in SECRETS if secret in search] == []


def test_the_search_document_holds_what_the_public_reads(guarded):
    search = search_document(stored_document(guarded))
    assert search["id"] == guarded["id"] and search["number"] == guarded["object_number"]
    assert search["status"] == "public"
    assert sorted(search["title"].split("\n")) == ["A4 rocket", "Fusée A4"]
    assert search["maker"] == "Mittelwerk GmbH"
    assert "Famille X" in search["text"] and "vers 1944" in search["text"]
    assert (search["date_from"], search["date_to"]) == (1943, 1944)
    assert search["has_media"] is True and search["has_any_media"] is True


def test_private_media_alone_do_not_count_as_media_for_the_public(app, ctx):
    record = new_object(status="public")
    helpers.media(app, record, public=False)
    search = search_document(stored_document(record))
    assert search["has_media"] is False and search["has_any_media"] is True
    assert "Vue de face" not in json.dumps(search, ensure_ascii=False)


@pytest.mark.parametrize(
    ("changes", "searched"),
    [
        ({"title": {"fr": "Fusée A4 (V2)"}}, True),
        ({"description": {"fr": "Tronçon de la tuyère."}}, True),
        ({"status": "internal"}, True),
        ({"internal_notes": "Déplacée en salle 3."}, False),
        ({"valuation": {"amount": "1.00", "currency": "EUR"}}, False),
    ],
)
def test_the_digest_changes_only_with_what_is_searched(guarded, changes, searched):
    document = stored_document(guarded)
    before = search_document(document)
    after = search_document({**document, **changes})
    assert (after["digest"] != before["digest"]) is searched
    # The same record always gives the same document, whatever the order of its fields.
    reordered = dict(reversed(list(document.items())))
    assert search_document(reordered) == before


def test_the_index_keeps_the_digest_of_the_record_as_saved(guarded):
    first = search_document(stored_document(guarded))["digest"]
    patch(guarded, {"title": {"fr": "Fusée A4 (V2)"}})
    second = search_document(stored_document(guarded))["digest"]
    assert second != first
    assert search_sync.engine().store.stored()[guarded["id"]] == second
    assert search_sync.verify() == {"missing": [], "stale": [], "extra": []}
