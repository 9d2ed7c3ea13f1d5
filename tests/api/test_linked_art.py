"""Linked Art: a HumanMadeObject that validates against the official schemas and expands."""

from __future__ import annotations

from tests import helpers
from tests.conformance import expand_linked_art, linked_art_errors

AAT = "http://vocab.getty.edu/aat/"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"


def make_rocket(client, curator, status="public"):
    kind = helpers.term(client, curator, "object_type", "Fusée", "Rocket", AAT + "300178421")
    steel = helpers.term(client, curator, "material", "acier", "steel", AAT + "300011914")
    maker = helpers.agent(client, curator, "Wernher von Braun", kind="person")
    dora = helpers.place(client, curator, "Mittelbau-Dora")
    weapons = helpers.collection(client, curator, "Armes secrètes", "Secret weapons")
    return helpers.obj(
        client,
        curator,
        object_number="1997.0001.001",
        status=status,
        object_type={"id": kind["id"]},
        title={"fr": "Fusée A4 (V2)", "en": "A4 (V2) rocket"},
        production={
            "date": {"display": "1944", "edtf": "1944"},
            "place": {"id": dora["id"]},
            "makers": [{"agent": {"id": maker["id"]}, "role": "designer"}],
        },
        materials=[{"id": steel["id"]}],
        dimensions=[{"type": "height", "value": 14.0, "unit": "m"}],
        collections=[{"id": weapons["id"]}],
    )


def test_linked_art_object_is_valid_and_complete(app, client, curator):
    rocket = make_rocket(client, curator)
    public_image = helpers.media(app, rocket, public=True)
    hidden_image = helpers.media(app, rocket, public=False, caption="Réserve")
    response = client.get(f"/linked-art/objects/{rocket['id']}")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert 'profile="https://linked.art/ns/v1/linked-art.json"' in response.content_type
    doc = response.get_json()
    assert linked_art_errors(doc) == []
    assert doc["type"] == "HumanMadeObject"
    assert doc["id"] == f"http://localhost/linked-art/objects/{rocket['id']}"

    names = {
        n["language"][0]["_label"]: n["content"]
        for n in doc["identified_by"]
        if n["type"] == "Name"
    }
    assert names == {"French": "Fusée A4 (V2)", "English": "A4 (V2) rocket"}
    [number] = [i for i in doc["identified_by"] if i["type"] == "Identifier"]
    assert number["content"] == "1997.0001.001"
    assert doc["classified_as"][0]["id"] == AAT + "300178421"
    production = doc["produced_by"]
    assert production["carried_out_by"][0]["type"] == "Person"
    assert production["carried_out_by"][0]["_label"] == "Wernher von Braun"
    assert production["timespan"]["begin_of_the_begin"] == "1944-01-01T00:00:00Z"
    assert production["timespan"]["end_of_the_end"] == "1944-12-31T23:59:59Z"
    assert production["took_place_at"][0]["_label"] == "Mittelbau-Dora"
    assert doc["dimension"][0]["value"] == 14.0
    assert doc["dimension"][0]["unit"]["id"] == AAT + "300379099"
    assert doc["made_of"][0]["id"] == AAT + "300011914"
    assert doc["current_owner"][0]["_label"].startswith("La Coupole")
    assert doc["member_of"][0]["_label"] == "Armes secrètes"
    points = [
        p["id"]
        for s in doc["subject_of"]
        for carrier in s["digitally_carried_by"]
        for p in carrier["access_point"]
    ]
    assert f"http://localhost/iiif/3/objects/{rocket['id']}/manifest" in points
    services = [
        p["id"]
        for r in doc["representation"]
        for shown in r["digitally_shown_by"]
        for service in shown["digitally_available_via"]
        for p in service["access_point"]
    ]
    assert services == [f"http://localhost/iiif/3/{public_image}"]
    assert hidden_image not in response.get_data(as_text=True)

    expanded = expand_linked_art(doc)
    assert expanded[0]["@type"] == [CRM + "E22_Human-Made_Object"]
    assert expanded[0]["@id"] == doc["id"]


def test_linked_art_follows_visibility_and_etags(client, users):
    curator = users["curator"]
    rocket = make_rocket(client, curator, status="internal")
    path = f"/linked-art/objects/{rocket['id']}"
    assert client.get(path).status_code == 404
    assert client.get(path).mimetype == "application/problem+json"
    response = client.get(path, headers=users["researcher"].headers)
    assert response.status_code == 200
    again = client.get(
        path, headers={**users["researcher"].headers, "If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_a_minimal_record_is_valid_linked_art(client, curator):
    record = helpers.obj(client, curator, status="public", title={"de": "Helm"})
    doc = client.get(f"/linked-art/objects/{record['id']}").get_json()
    assert linked_art_errors(doc) == []
    assert doc["_label"] == "Helm"


def test_the_current_owner_is_served_as_a_group(client, curator):
    record = helpers.obj(client, curator, status="public")
    owner = client.get(f"/linked-art/objects/{record['id']}").get_json()["current_owner"][0]
    response = client.get(owner["id"].removeprefix("http://localhost"))
    assert response.status_code == 200
    group = response.get_json()
    assert linked_art_errors(group, "group") == []
    assert group["id"] == owner["id"] and group["type"] == "Group"
    assert expand_linked_art(group)[0]["@type"] == [CRM + "E74_Group"]
