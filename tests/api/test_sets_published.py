"""A public set published like a collection: IIIF Collection, OAI-PMH set, changes feed, CSV."""

from __future__ import annotations

import csv
import io
import json

from jsonschema import Draft7Validator

from tests import helpers
from tests.api.test_oai import NS, oai, oai_id
from tests.conformance import SHARED
from tests.sets_helpers import add_objects, new_set, write

_SCHEMA = json.loads((SHARED / "schemas/iiif/schema/iiif_3_0.json").read_text())
COLLECTION_SCHEMA = Draft7Validator(
    {
        **{k: v for k, v in _SCHEMA.items() if k not in ("oneOf", "title")},
        "$ref": "#/classes/collection",
    }
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def assert_valid_collection(document: dict) -> None:
    errors = [f"{e.json_path}: {e.message}" for e in COLLECTION_SCHEMA.iter_errors(document)]
    assert not errors and Draft7Validator(_SCHEMA).is_valid(document), "\n".join(errors)


def published_set(client, users, *records, **fields):
    curator = users["curator"]
    created = new_set(
        client,
        curator,
        title={"fr": "Les armes secrètes", "en": "The secret weapons"},
        description={"fr": "Une sélection", "en": "A selection"},
        visibility="public",
        **fields,
    )
    add_objects(client, curator, created, *records, note="Vue depuis la rampe")
    return created


def test_iiif_collection_lists_the_manifests_of_visible_members(client, users):
    curator = users["curator"]
    public = helpers.obj(client, curator, status="public", title={"fr": "Fusée", "en": "Rocket"})
    draft = helpers.obj(client, curator, status="draft")
    helpers.media(app=client.application, record=public)
    created = published_set(client, users, public, draft)
    response = client.get(f"/iiif/3/sets/{created['id']}/collection")
    assert response.status_code == 200
    collection = response.get_json()
    assert_valid_collection(collection)
    assert collection["type"] == "Collection"
    assert collection["label"] == {"fr": ["Les armes secrètes"], "en": ["The secret weapons"]}
    assert [item["id"].split("/iiif/3/")[1] for item in collection["items"]] == [
        f"objects/{public['id']}/manifest"
    ]
    assert collection["items"][0]["thumbnail"][0]["id"].endswith("/thumbnail")
    assert collection["homepage"][0]["id"].endswith(f"/sets/{created['id']}")
    assert draft["id"] not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "Authorization" in response.headers["Vary"]
    as_curator = client.get(f"/iiif/3/sets/{created['id']}/collection", headers=curator.headers)
    assert len(as_curator.get_json()["items"]) == 2
    assert as_curator.headers["Cache-Control"] == "private"
    assert_valid_collection(as_curator.get_json())


def test_iiif_collection_of_a_set_you_may_not_read_is_a_404(client, users):
    researcher = users["researcher"]
    private = new_set(client, researcher)
    helpers.is_problem(client.get(f"/iiif/3/sets/{private['id']}/collection"), 404)
    own = client.get(f"/iiif/3/sets/{private['id']}/collection", headers=researcher.headers)
    assert own.status_code == 200 and own.get_json()["items"] == []


def test_oai_pmh_set_of_a_public_set(client, users):
    curator = users["curator"]
    public = helpers.obj(client, curator, status="public")
    other = helpers.obj(client, curator, status="public")
    draft = helpers.obj(client, curator, status="draft")
    created = published_set(client, users, public, draft)
    private = new_set(client, curator, title="Réserve privée")
    add_objects(client, curator, private, other)
    spec = f"set:{created['id']}"
    listed = oai(client, verb="ListSets")
    specs = [e.text for e in listed.iterfind(".//o:set/o:setSpec", NS)]
    assert "set" in specs and spec in specs and f"set:{private['id']}" not in specs
    names = [e.text for e in listed.iterfind(".//o:set/o:setName", NS)]
    assert "Les armes secrètes" in names and "Réserve privée" not in names
    for verb in ("ListRecords", "ListIdentifiers"):
        doc = oai(client, verb=verb, metadataPrefix="oai_dc", set=spec)
        headers = list(doc.iterfind(".//o:header", NS))
        assert [h.findtext("o:identifier", namespaces=NS) for h in headers] == [oai_id(public)]
        assert spec in [e.text for e in headers[0].iterfind("o:setSpec", NS)]
    everything = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="set")
    found = [e.text for e in everything.iterfind(".//o:header/o:identifier", NS)]
    assert found == [oai_id(public)]
    write(client, curator, "patch", f"/api/v1/sets/{created['id']}", {"visibility": "shared"})
    doc = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec)
    assert doc.find("o:error", NS).get("code") == "noRecordsMatch"


def test_feed_reports_objects_entering_and_leaving_a_public_set(client, users):
    curator = users["curator"]
    public = helpers.obj(client, curator, status="public")
    draft = helpers.obj(client, curator, status="draft")
    cursor = client.get("/api/v1/changes", headers=curator.headers).get_json()["cursor"]
    private = new_set(client, curator)
    add_objects(client, curator, private, public)
    assert client.get(f"/api/v1/changes?since={cursor}").get_json()["items"] == []
    created = published_set(client, users, public, draft)
    path = f"/api/v1/sets/{created['id']}"
    write(client, curator, "delete", f"{path}/members/{public['id']}")
    items = client.get(f"/api/v1/changes?since={cursor}").get_json()["items"]
    assert [(i["event"], i["id"], i["set"]) for i in items] == [
        ("updated", public["id"], {"id": created["id"], "change": "added"}),
        ("updated", public["id"], {"id": created["id"], "change": "removed"}),
    ]
    staff = client.get(f"/api/v1/changes?since={cursor}", headers=curator.headers).get_json()
    assert [(i["id"], i["set"]["change"]) for i in staff["items"]] == [
        (public["id"], "added"),
        (draft["id"], "added"),
        (public["id"], "removed"),
    ]
    # Unpublishing the set: every member the caller sees leaves it.
    add_objects(client, curator, created, public)
    write(client, curator, "patch", path, {"visibility": "private"})
    tail = client.get(f"/api/v1/changes?since={cursor}").get_json()["items"][-2:]
    assert [(i["id"], i["set"]["change"]) for i in tail] == [
        (public["id"], "added"),
        (public["id"], "removed"),
    ]


def test_csv_of_members_neutralises_formulas(client, users):
    curator = users["curator"]
    payload = "=cmd|' /C calc'!A0"
    public = helpers.obj(client, curator, status="public", title={"fr": payload, "en": "+33 3"})
    draft = helpers.obj(client, curator, status="draft", title={"fr": "Brouillon secret"})
    created = new_set(client, curator, visibility="public")
    add_objects(client, curator, created, public, draft, note="@SUM(1+1)")
    response = client.get(f"/api/v1/sets/{created['id']}/members.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1 and "Brouillon" not in text and draft["id"] not in text
    row = rows[0]
    assert row["object_number"] == public["object_number"] and row["position"] == "1"
    assert row["title_fr"] == f"'{payload}" and row["title_en"] == "'+33 3"
    assert row["note"] == "'@SUM(1+1)"
    assert row["url"].endswith(f"/objects/{public['id']}")
    cells = [cell for r in csv.reader(io.StringIO(text)) for cell in r]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    staff = client.get(f"/api/v1/sets/{created['id']}/members.csv", headers=curator.headers)
    assert "Brouillon secret" in staff.get_data(as_text=True)
    private = new_set(client, curator)
    helpers.is_problem(client.get(f"/api/v1/sets/{private['id']}/members.csv"), 404)


def test_a_private_set_reaches_no_one_else_in_any_channel(client, users, other_researcher):
    researcher, curator = users["researcher"], users["curator"]
    public = helpers.obj(client, curator, status="public")
    private = new_set(client, researcher, title="Secret de thèse", description="Ne pas montrer")
    add_objects(client, researcher, private, public, note="Note privée")
    set_id = private["id"]
    for caller in (other_researcher, curator, users["anonymous"]):
        for path in (
            f"/api/v1/sets/{set_id}",
            f"/api/v1/sets/{set_id}/members",
            f"/api/v1/sets/{set_id}/members.csv",
            f"/iiif/3/sets/{set_id}/collection",
            f"/sets/{set_id}",
        ):
            assert client.get(path, headers=caller.headers).status_code == 404, path
        bodies = [
            client.get(path, headers=caller.headers).get_data(as_text=True)
            for path in (
                "/api/v1/sets",
                f"/api/v1/sets?object={public['id']}",
                "/api/v1/changes",
                "/sets",
                "/oai?verb=ListSets",
                "/oai?verb=ListRecords&metadataPrefix=oai_dc",
            )
        ]
        text = "\n".join(bodies)
        assert set_id not in text and "Secret de thèse" not in text and "Note privée" not in text
    if_signed_in = client.get(f"/api/v1/sets/{set_id}/versions", headers=curator.headers)
    helpers.is_problem(if_signed_in, 404)
