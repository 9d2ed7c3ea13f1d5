"""Objects through the API: create, read, replace, patch, delete, visibility."""

from __future__ import annotations

from tests import helpers


def test_create_returns_201_location_and_full_record(client, curator):
    rocket = helpers.term(client, curator, "object_type", "Fusée", "Rocket")
    steel = helpers.term(client, curator, "material", "acier", "steel")
    dora = helpers.place(client, curator, "Mittelbau-Dora")
    body = {
        "object_number": "1997.0001.001",
        "status": "public",
        "object_type": {"id": rocket["id"]},
        "title": {"fr": "Fusée A4 (V2)", "en": "A4 (V2) rocket"},
        "production": {"date": {"display": "1944", "edtf": "1944"}, "place": {"id": dora["id"]}},
        "materials": [{"id": steel["id"]}],
        "dimensions": [{"type": "height", "value": 14.0, "unit": "m"}],
    }
    response = client.post("/api/v1/objects", json=body, headers=curator.headers)
    assert response.status_code == 201
    record = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/objects/{record['id']}")
    assert response.headers["ETag"]
    assert record["object_type"] == {
        "id": rocket["id"],
        "label": {"fr": "Fusée", "en": "Rocket"},
        "uri": None,
    }
    assert record["production"]["date"] == {
        "display": "1944",
        "edtf": "1944",
        "earliest": "1944-01-01",
        "latest": "1944-12-31",
    }
    assert record["production"]["place"]["label"]["fr"] == "Mittelbau-Dora"
    assert record["materials"][0]["label"]["en"] == "steel"
    assert record["version"] == 1
    assert record["links"] == {
        "self": f"/api/v1/objects/{record['id']}",
        "html": f"/objects/{record['id']}",
        "iiif_manifest": f"/iiif/3/objects/{record['id']}/manifest",
        "linked_art": f"/linked-art/objects/{record['id']}",
    }


def test_plain_string_text_is_stored_under_the_default_language(client, curator):
    record = helpers.obj(client, curator, title="Bombe volante V1", description="Tirée en 1944")
    assert record["title"] == {"fr": "Bombe volante V1"}
    assert record["description"] == {"fr": "Tirée en 1944"}


def test_status_defaults_to_draft(client, curator):
    assert helpers.obj(client, curator)["status"] == "draft"


def test_lang_adds_display_fields_with_fallback(client, curator):
    record = helpers.obj(
        client,
        curator,
        title={"fr": "Fusée", "en": "Rocket"},
        description={"fr": "Seulement en français"},
    )
    response = client.get(f"/api/v1/objects/{record['id']}?lang=en", headers=curator.headers)
    shown = response.get_json()["display"]
    assert shown["title"] == "Rocket"
    assert shown["description"] == "Seulement en français"


def test_by_number_lookup(client, curator, users):
    record = helpers.obj(client, curator, object_number="1997.0002.001", status="public")
    response = client.get("/api/v1/objects/by-number/1997.0002.001")
    assert response.status_code == 200
    assert response.get_json()["id"] == record["id"]
    assert client.get("/api/v1/objects/by-number/1997.9999.999").status_code == 404


def test_put_replaces_the_record_and_makes_a_version(client, curator):
    record = helpers.obj(client, curator, description={"fr": "Avant"})
    current, etag = helpers.read(client, curator, record)
    current["description"] = {"fr": "Après", "en": "After"}
    response = client.put(
        f"/api/v1/objects/{record['id']}",
        json=current,
        headers={**curator.headers, "If-Match": etag},
    )
    assert response.status_code == 200, response.get_json()
    updated = response.get_json()
    assert updated["description"] == {"fr": "Après", "en": "After"}
    assert updated["version"] == 2
    assert response.headers["ETag"] != etag


def test_put_back_unchanged_record_makes_no_new_version(client, curator):
    record = helpers.obj(client, curator)
    current, etag = helpers.read(client, curator, record)
    response = client.put(
        f"/api/v1/objects/{record['id']}",
        json=current,
        headers={**curator.headers, "If-Match": etag},
    )
    assert response.status_code == 200
    assert response.get_json()["version"] == 1
    assert response.headers["ETag"] == etag


def test_patch_is_a_merge_patch(client, curator):
    record = helpers.obj(
        client, curator, title={"fr": "Fusée", "en": "Rocket"}, description={"fr": "Texte"}
    )
    _, etag = helpers.read(client, curator, record)
    response = client.patch(
        f"/api/v1/objects/{record['id']}",
        data='{"title": {"en": "A4 rocket"}, "description": null}',
        content_type="application/merge-patch+json",
        headers={**curator.headers, "If-Match": etag},
    )
    assert response.status_code == 200, response.get_json()
    patched = response.get_json()
    assert patched["title"] == {"fr": "Fusée", "en": "A4 rocket"}
    assert patched["description"] is None


def test_patch_with_edtf_rederives_the_date_range(client, curator):
    record = helpers.obj(client, curator, production={"date": {"edtf": "1944"}})
    _, etag = helpers.read(client, curator, record)
    response = client.patch(
        f"/api/v1/objects/{record['id']}",
        json={"production": {"date": {"edtf": "1943-10/1944-07"}}},
        headers={**curator.headers, "If-Match": etag},
    )
    assert response.status_code == 200, response.get_json()
    date = response.get_json()["production"]["date"]
    assert (date["earliest"], date["latest"]) == ("1943-10-01", "1944-07-31")


def test_list_envelope_and_pagination(client, curator):
    for _ in range(3):
        helpers.obj(client, curator, status="public")
    response = client.get("/api/v1/objects?per_page=2")
    page = response.get_json()
    assert page["total"] == 3 and page["page"] == 1 and page["per_page"] == 2
    assert len(page["items"]) == 2
    assert page["prev"] is None and "page=2" in page["next"]
    second = client.get(page["next"]).get_json()
    assert len(second["items"]) == 1 and second["next"] is None


def test_list_filters(client, curator):
    rocket = helpers.term(client, curator, "object_type", "Fusée", "Rocket")
    circuit = helpers.collection(client, curator, "Les armes secrètes", "The secret weapons")
    a = helpers.obj(
        client,
        curator,
        status="public",
        object_type={"id": rocket["id"]},
        collections=[{"id": circuit["id"]}],
    )
    helpers.obj(client, curator, status="public")
    helpers.obj(client, curator, status="internal")

    def ids(query):
        response = client.get(f"/api/v1/objects?{query}", headers=curator.headers)
        assert response.status_code == 200, response.get_json()
        return {item["id"] for item in response.get_json()["items"]}

    assert ids(f"object_type={rocket['id']}") == {a["id"]}
    assert ids(f"collection={circuit['id']}") == {a["id"]}
    assert len(ids("status=internal")) == 1
    assert len(ids("status=public")) == 2
    assert ids("has_media=true") == set()
    assert len(ids("has_media=false")) == 3
    assert len(ids("updated_since=2000-01-01T00:00:00Z")) == 3
    assert ids("updated_since=2999-01-01T00:00:00Z") == set()


def test_delete_leaves_a_tombstone_and_answers_410(client, curator, users):
    record = helpers.obj(client, curator, status="public", object_number="1997.0100.001")
    _, etag = helpers.read(client, curator, record)
    response = client.delete(
        f"/api/v1/objects/{record['id']}", headers={**curator.headers, "If-Match": etag}
    )
    assert response.status_code == 204
    gone = client.get(f"/api/v1/objects/{record['id']}")
    assert gone.status_code == 410
    assert gone.mimetype == "application/problem+json"
    body = gone.get_json()
    assert body["id"] == record["id"] and body["object_number"] == "1997.0100.001"
    assert body["deleted_at"].endswith("Z")


def test_deleted_draft_answers_404_to_those_who_never_saw_it(client, curator, users):
    record = helpers.obj(client, curator, status="draft")
    _, etag = helpers.read(client, curator, record)
    client.delete(f"/api/v1/objects/{record['id']}", headers={**curator.headers, "If-Match": etag})
    assert client.get(f"/api/v1/objects/{record['id']}").status_code == 404
    assert (
        client.get(
            f"/api/v1/objects/{record['id']}", headers=users["researcher"].headers
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/objects/{record['id']}", headers=curator.headers).status_code == 410


def test_deleted_number_cannot_be_reused(client, curator):
    record = helpers.obj(client, curator, object_number="1997.0200.001")
    _, etag = helpers.read(client, curator, record)
    client.delete(f"/api/v1/objects/{record['id']}", headers={**curator.headers, "If-Match": etag})
    response = client.post(
        "/api/v1/objects",
        headers=curator.headers,
        json={"object_number": "1997.0200.001", "title": "Autre"},
    )
    assert response.status_code == 409
    assert "deleted" in response.get_json()["detail"]


def test_a_full_record_read_can_be_put_back_unchanged(client, curator):
    rocket = helpers.term(client, curator, "object_type", "Fusée", "Rocket")
    steel = helpers.term(client, curator, "material", "acier", "steel")
    maker = helpers.agent(client, curator, "Mittelwerk GmbH")
    wizernes = helpers.place(client, curator, "Wizernes", latitude=50.71, longitude=2.23)
    circuit = helpers.collection(client, curator, "Les armes secrètes", "The secret weapons")
    other = helpers.obj(client, curator)
    record = helpers.obj(
        client,
        curator,
        object_type={"id": rocket["id"]},
        materials=[{"id": steel["id"]}],
        production={
            "date": {"display": "vers 1944", "edtf": "1944~"},
            "place": {"id": wizernes["id"]},
            "makers": [{"agent": {"id": maker["id"]}, "role": "manufacturer"}],
        },
        associated_places=[{"id": wizernes["id"]}],
        associated_agents=[{"id": maker["id"]}],
        collections=[{"id": circuit["id"]}],
        related_objects=[{"id": other["id"], "relation": "part_of"}],
        dimensions=[{"type": "height", "value": 14.0, "unit": "m"}],
        inscriptions=[{"text": "WA", "language": "de"}],
        rights={"statement": "In copyright", "uri": "http://rightsstatements.org/vocab/InC/1.0/"},
        acquisition={"method": "don", "date": "1997-05-01", "source_contact": "x"},
        valuation={"amount": "1250000.00", "currency": "EUR"},
        internal_notes="note",
    )
    current, etag = helpers.read(client, curator, record)
    response = client.put(
        f"/api/v1/objects/{record['id']}",
        json=current,
        headers={**curator.headers, "If-Match": etag},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == current
    assert response.headers["ETag"] == etag
