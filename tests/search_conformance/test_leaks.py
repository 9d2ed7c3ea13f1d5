"""Nothing hidden reaches an anonymous caller through any channel, search included, with
each search backend (``tests/leaks.py`` reads every channel)."""

from __future__ import annotations

from tests import helpers
from tests.leaks import CHANNELS, SILENT_TO_ANONYMOUS, leaks

CANARY = "CANARY-7d41ab"


def test_hidden_records_and_staff_fields_never_reach_anonymous(app, client, curator):
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
    )
    hidden_image = helpers.media(app, public, public=False, caption=f"Réserve {CANARY}")
    # Public once, then withdrawn, then given secret text: only the withdrawal may show.
    withdrawn = helpers.obj(client, curator, status="public", title={"fr": "Affiche"})
    helpers.edit(client, curator, withdrawn, {"status": "draft"})
    helpers.edit(client, curator, withdrawn, {"title": text, "description": text})

    found = leaks(
        client,
        hidden_ids=[draft["id"], internal["id"], withdrawn["id"]],
        secrets=[CANARY, draft["id"], internal["id"], hidden_image, draft["object_number"]],
    )
    assert found == []
    # The checks see the public record, so an empty result is not a blind spot: in search, and
    # in every channel that lists records without needing more (a set, a maker, a place) than
    # this test makes; tests/api/test_leaks.py builds those too and reads every channel.
    seen = leaks(client, [], [public["id"]])
    assert f"search: {public['id']}" in seen
    assert set(seen) <= {
        f"{name}: {public['id']}" for name in CHANNELS if name not in SILENT_TO_ANONYMOUS
    }
    answer = client.get("/api/v1/search", query_string={"q": "casque"}).get_json()
    assert [item["id"] for item in answer["items"]] == [public["id"]]
