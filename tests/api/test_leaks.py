"""Nothing hidden reaches an anonymous caller, in any channel."""

from __future__ import annotations

from catalogue.services.search import sync as search_sync
from tests import helpers
from tests.leaks import CHANNELS, leaks

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
    # Hidden and public records share a maker and a place (whose pages list their objects),
    # a date and a licence free to reuse (filters of the search page).
    maker = helpers.agent(client, curator, "Atelier partagé")
    where = helpers.place(client, curator, "Lieu partagé", latitude=50.7, longitude=2.2)
    shared = {
        "production": {
            "date": {"edtf": "1944"},
            "place": {"id": where["id"]},
            "makers": [{"agent": {"id": maker["id"]}, "role": "fabricant"}],
        },
        "associated_places": [{"id": where["id"]}],
        "rights": {"uri": "http://creativecommons.org/publicdomain/zero/1.0/"},
    }
    draft = helpers.obj(client, curator, status="draft", title=text, description=text, **shared)
    internal = helpers.obj(
        client, curator, status="internal", title=text, description=text, **shared
    )
    public = helpers.obj(
        client,
        curator,
        status="public",
        **shared,
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
    assert leaks(client, [], [public["id"]]) == [f"{name}: {public['id']}" for name in CHANNELS]
