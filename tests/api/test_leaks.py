"""Nothing hidden reaches an anonymous caller, in any channel."""

from __future__ import annotations

import io

from catalogue.services.search import sync as search_sync
from tests import helpers
from tests.api import procedure_helpers as ph
from tests.background import commit_import, work_off
from tests.leaks import (
    CHANNELS,
    SILENT_TO_ANONYMOUS,
    AsCaller,
    background_jobs,
    batches,
    leaks,
)
from tests.sets_helpers import add, new_set

CANARY = "CANARY-3f9e1c"


def patch(client, caller, record, changes):
    _, etag = helpers.read(client, caller, record)
    response = client.patch(
        f"/api/v1/objects/{record['id']}",
        json=changes,
        headers={**caller.headers, "If-Match": etag},
    )
    assert response.status_code == 200


def test_drafts_internal_records_and_staff_fields_never_reach_anonymous(
    app, client, curator, users
):
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

    # A public set holding the public record and the hidden ones (a note on each), and a
    # researcher's private set: only the public member of the public set may show.
    showcase = new_set(client, curator, title="Vitrine", visibility="public")
    add(client, curator, showcase, {"objects": [{"id": public["id"]}]})
    for hidden in (draft, internal, withdrawn):
        add(client, curator, showcase, {"objects": [{"id": hidden["id"], "note": CANARY}]})
    researcher = users["researcher"]
    private = new_set(client, researcher, title=f"Privé {CANARY}", description=CANARY)
    add(client, researcher, private, {"objects": [{"id": public["id"], "note": CANARY}]})
    shared = new_set(client, researcher, title=f"Partagé {CANARY}", visibility="shared")
    add(client, researcher, shared, {"objects": [{"id": public["id"]}]})
    for set_id in (private["id"], shared["id"]):
        for path in (
            f"/api/v1/sets/{set_id}",
            f"/sets/{set_id}",
            f"/iiif/3/sets/{set_id}/collection",
        ):
            assert client.get(path).status_code == 404, path

    found = leaks(
        client,
        hidden_ids=[draft["id"], internal["id"], withdrawn["id"]],
        secrets=[
            CANARY,
            draft["id"],
            internal["id"],
            hidden_image,
            draft["object_number"],
            private["id"],
            shared["id"],
        ],
    )
    assert found == []
    # The checks see the public record, so an empty result is not a blind spot.
    assert leaks(client, [], [public["id"]]) == [
        f"{name}: {public['id']}" for name in CHANNELS if name not in SILENT_TO_ANONYMOUS
    ]


def test_background_jobs_and_their_imports_are_for_staff_only(app, client, users, curator):
    """An import of hidden records, committed by a worker: its job's progress and result
    reach staff only (the job is a channel of its own)."""
    content = f"object_number;title_fr;status\n2040.0001.001;Plan {CANARY};draft\n".encode()
    checked = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(content), f"{CANARY}.csv")},
        headers=curator.headers,
        content_type="multipart/form-data",
    ).get_json()
    committed = commit_import(client, app, checked["links"]["self"], curator.headers).get_json()
    assert committed["status"] == "committed"
    job_id = committed["commit_job"]["id"]
    staff = client.get(f"/api/v1/jobs/{job_id}", headers=curator.headers).get_json()
    assert staff["status"] == "succeeded" and staff["progress"]["rows_applied"] == 1
    for caller in ("anonymous", "researcher"):
        reader = app.test_client()
        reader.environ_base["HTTP_AUTHORIZATION"] = users[caller].headers.get("Authorization", "")
        bodies = background_jobs(reader, [job_id])
        for path in (checked["links"]["self"], f"{checked['links']['self']}/errors.csv"):
            response = reader.get(path)
            assert response.status_code in (401, 403)
            bodies.append(response.get_data(as_text=True).replace(checked["id"], "<asked>"))
        text = "\n".join(bodies)
        for secret in (CANARY, "rows_applied", "2040.0001.001", curator.email):
            assert secret not in text, (caller, secret)


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


def test_batches_are_for_staff_only(app, client, users, curator):
    """A batch over hidden records, run and undone: neither the batch, its previews (record
    text), its counts, nor which batch saved a version reach anyone outside staff."""
    draft = helpers.obj(client, curator, status="draft", title={"fr": f"Plan {CANARY}"})
    public = helpers.obj(client, curator, status="public", title={"fr": "Casque"})
    body = {
        "targets": {"ids": [draft["id"], public["id"]]},
        "operation": {"op": "set", "field": "internal_notes", "value": f"vu {CANARY}"},
    }
    batch = client.post("/api/v1/batches", json=body, headers=curator.headers).get_json()
    client.post(f"/api/v1/batches/{batch['id']}/run", headers=curator.headers)
    work_off(app)
    undo = client.post(f"/api/v1/batches/{batch['id']}/undo", headers=curator.headers)
    work_off(app)
    ids = [batch["id"], undo.get_json()["id"]]
    staff = client.get(f"/api/v1/objects/{public['id']}/versions", headers=curator.headers)
    assert {v["batch"] for v in staff.get_json()["items"]} >= set(ids)
    for caller in ("anonymous", "researcher"):
        reader = app.test_client()
        reader.environ_base["HTTP_AUTHORIZATION"] = users[caller].headers.get("Authorization", "")
        bodies = batches(reader, ids)
        versions = reader.get(f"/api/v1/objects/{public['id']}/versions")
        assert versions.status_code == (401 if caller == "anonymous" else 200)
        bodies.append(versions.get_data(as_text=True))
        text = "\n".join(bodies)
        for secret in (CANARY, draft["id"], draft["object_number"], *ids):
            assert secret not in text, (caller, secret)
