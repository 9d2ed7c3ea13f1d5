"""The demo collection: loaded by ``catalogue demo load``, idempotent, varied, visible rightly."""

from __future__ import annotations

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ChangeLogEntry, ObjectVersion
from catalogue.services.search import sync as search_sync


def load(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


def counts(app) -> dict:
    with app.app_context():
        found = {
            model.__tablename__: db.session.execute(
                sa.select(sa.func.count()).select_from(model)
            ).scalar_one()
            for model in (CatalogueObject, ObjectVersion, ChangeLogEntry)
        }
        db.session.remove()
        return found


def test_demo_load(app, client, users):
    """One load is costly, so one test checks content, visibility and idempotency."""
    with app.app_context():
        search_sync.engine(app).store.clear()  # what earlier tests indexed is not the demo's
    assert "objects" in load(app)
    # The index holds exactly the demo (it catches up once, at the end of the load).
    with app.app_context():
        assert search_sync.verify() == {"missing": [], "stale": [], "extra": []}
        db.session.remove()
    loaded = counts(app)
    curator = users["curator"].headers
    everything = client.get("/api/v1/objects?per_page=100", headers=curator).get_json()
    records = everything["items"]
    assert everything["total"] == len(records) >= 30
    statuses = {record["status"] for record in records}
    assert statuses == {"public", "internal", "draft"}
    titles = {record["title"]["en"]: record for record in records}
    assert "A4 (V2) rocket" in titles and "V1 flying bomb" in titles
    assert titles["A4 (V2) rocket"]["title"]["fr"]

    collections = client.get("/api/v1/collections").get_json()["items"]
    labels = {c["label"]["en"]: c["id"] for c in collections}
    assert "Hitler’s secret weapons" in labels
    assert "The German occupation of northern France" in labels
    for circuit in labels.values():
        members = client.get(f"/api/v1/objects?collection={circuit}&per_page=100", headers=curator)
        assert members.get_json()["total"] > 0
    rocket = titles["A4 (V2) rocket"]
    assert labels["Hitler’s secret weapons"] in [c["id"] for c in rocket["collections"]]
    assert rocket["location"] is not None
    # The registrar's side: the 1997 acquisition of the A4, a family's deposit of photographs.
    biography = client.get(f"/api/v1/objects/{rocket['id']}/procedures", headers=curator)
    steps = [
        (i["kind"], i["number"], i["status"], i["date"]) for i in biography.get_json()["items"]
    ]
    assert steps[:2] == [
        ("entry", "EN1997.001", "closed", "1997-03-10"),
        ("acquisition", "AC1997.001", "accessioned", "1997-06-20"),
    ]
    assert rocket["acquisition"]["method"] == "transfer"
    assert rocket["acquisition"]["date"] == "1997-06-20"
    deposits = client.get("/api/v1/entries?status=open", headers=curator).get_json()["items"]
    [deposit] = deposits
    assert deposit["depositor"]["label"]["en"].startswith("The Delattre family")
    assert [o["object_number"] for o in deposit["objects"]] == [
        f"TMP-EN2024.003-{n}" for n in (1, 2, 3)
    ]

    public = client.get("/api/v1/objects?per_page=100").get_json()
    assert 0 < public["total"] < everything["total"]
    assert {item["status"] for item in public["items"]} == {"public"}
    assert all("location" not in item for item in public["items"])
    expected = sum(1 for record in records if record["status"] == "public")
    assert public["total"] == expected

    # The demo has images: drawings and photo-like pictures, labelled as demo material, with
    # thumbnails, IIIF images and a manifest; the rocket has two, for the gallery.
    with_images = [item for item in public["items"] if item["media"]]
    assert len(with_images) >= 8
    rocket_media = titles["A4 (V2) rocket"]["media"]
    assert len(rocket_media) == 2 and rocket_media[0]["primary"]
    assert "demo" in rocket_media[0]["caption"]["en"].lower()
    thumbnail = client.get(rocket_media[0]["thumbnail"])
    assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/jpeg"
    info = client.get(rocket_media[0]["iiif"]).get_json()
    assert info["width"] == 1600 and info["height"] == 1100
    manifest = client.get(f"/iiif/3/objects/{rocket['id']}/manifest").get_json()
    assert len(manifest["items"]) == 2
    page = client.get(f"/objects/{rocket['id']}").get_data(as_text=True)
    assert 'class="viewer"' in page and rocket_media[1]["id"] in page

    # Loading again creates nothing; --if-empty does not even try.
    assert "created nothing" in load(app)
    assert counts(app) == loaded
    if_empty = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty"])
    assert if_empty.exit_code == 0 and "not loaded" in if_empty.output
