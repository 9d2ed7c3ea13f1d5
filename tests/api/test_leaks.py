"""Nothing hidden reaches an anonymous caller, in any channel."""

from __future__ import annotations

from catalogue.services.search import sync as search_sync
from tests import helpers
from tests.api import procedure_helpers as ph
from tests.leaks import CHANNELS, SILENT_TO_ANONYMOUS, AsCaller, leaks

CANARY = "CANARY-3f9e1c"


def patch(client, caller, record, changes):
    _, etag = helpers.read(client, caller, record)
    response = client.patch(
        f"/api/v1/objects/{record['id']}",
        json=changes,
        headers={**caller.headers, "If-Match": etag},
    )
    assert response.status_code == 200


def test_drafts_internal_records_and_staff_fields_never_reach_anonymous(app, client, curator):
    with app.app_context():
        search_sync.engine(
            app
        ).store.clear()  # an index left by earlier tests would be a blind spot
    text = {"fr": f"Texte secret {CANARY}", "en": f"Secret text {CANARY}"}
    draft = helpers.obj(client, curator, status="draft", title=text, description=text)
    internal = helpers.obj(client, curator, status="internal", title=text, description=text)
    public = helpers.obj(
        client,
        curator,
        status="public",
        title={"fr": "Casque", "en": "Helmet"},
        internal_notes=f"notes {CANARY}",
        acquisition={"method": "don", "source_contact": f"contact {CANARY}"},
        related_objects=[{"id": draft["id"], "relation": "related"}],
    )
    hidden_image = helpers.media(app, public, public=False, caption=f"Réserve {CANARY}")
    # Public once, then withdrawn, then given secret text: only the withdrawal may show.
    withdrawn = helpers.obj(client, curator, status="public", title={"fr": "Affiche"})
    patch(client, curator, withdrawn, {"status": "draft"})
    patch(client, curator, withdrawn, {"title": text, "description": text})

    found = leaks(
        client,
        hidden_ids=[draft["id"], internal["id"], withdrawn["id"]],
        secrets=[CANARY, draft["id"], internal["id"], hidden_image, draft["object_number"]],
    )
    assert found == []
    # The checks see the public record, so an empty result is not a blind spot.
    assert leaks(client, [], [public["id"]]) == [
        f"{name}: {public['id']}" for name in CHANNELS if name not in SILENT_TO_ANONYMOUS
    ]


def test_procedures_and_deaccessioned_objects_never_reach_anonymous_callers_or_researchers(
    app, client, users, curator
):
    with app.app_context():
        search_sync.engine(app).store.clear()
    world = ph.world(client, curator)
    rocket = world["rocket"]
    patch(client, curator, rocket, {"description": {"fr": f"Fusée {CANARY}"}})
    kept = helpers.obj(client, curator, status="public", title={"fr": "Casque"})
    entry = ph.create(
        client,
        curator,
        "entries",
        {
            "reason": "acquisition-consideration",
            "depositor": {"id": world["family"]["id"]},
            "condition": f"état {CANARY}",
            "objects": [{"id": kept["id"]}],
        },
    )
    acquisition = ph.create(
        client,
        curator,
        "acquisitions",
        {
            "method": "purchase",
            "price": {"amount": "987654.32", "currency": "EUR"},
            "funding": f"fonds {CANARY}",
            "objects": [{"id": kept["id"]}],
        },
    )
    ph.moved(client, curator, "acquisitions", acquisition, "approved")
    ph.moved(client, curator, "acquisitions", acquisition, "accessioned")
    audit = ph.create(client, curator, "audits", {"locations": [{"id": world["store"]["id"]}]})
    exit_ = ph.create(
        client,
        curator,
        "exits",
        {"reason": "deaccession", "notes": f"motif {CANARY}", "objects": [{"id": rocket["id"]}]},
    )
    ph.moved(client, curator, "exits", exit_, "approved")
    ph.moved(client, curator, "exits", exit_, "completed")
    procedures = [entry, acquisition, audit, exit_]
    hidden = [rocket["id"], *(p["id"] for p in procedures)]
    # The withdrawal itself is news (an ``unpublished`` event naming the id and number, an
    # OAI-PMH deletion, a IIIF Delete), so the object's id may appear; nothing else may.
    secrets = [
        CANARY,
        rocket["object_number"],
        "987654",
        *(p["id"] for p in procedures),
        *(p["number"] for p in procedures),
    ]
    withdrawal = f"changes feed: {rocket['object_number']}"
    assert leaks(client, hidden, secrets) == [withdrawal]
    researcher = AsCaller(client, users["researcher"].headers)
    assert leaks(researcher, hidden, secrets) == [withdrawal]
    # The object that stays public is still seen, with what its accession filled in.
    record = client.get(f"/api/v1/objects/{kept['id']}").get_json()
    assert record["acquisition"]["method"] == "purchase"
    assert record["collection_status"] == "in-collection"
