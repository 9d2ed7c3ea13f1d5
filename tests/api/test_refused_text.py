"""Text XML cannot carry, and Unicode noncharacters, are a 422 naming the field, everywhere.

The catalogue publishes every public record as XML (OAI-PMH); a text it accepted but could
not publish used to break the record (a 500 on creating it public, and a draft holding it
could never be published).
"""

from __future__ import annotations

import pytest

from tests import helpers
from tests.api.test_bad_input import base
from tests.api.test_oai import NS, error_code, oai
from tests.conformance import assert_valid_oai

# (body changes, field path named in `errors`)
REFUSED_IN_OBJECTS = [
    ({"title": {"fr": "Fusée A4\uffff"}}, "title.fr"),
    ({"title": {"fr": "Fusée", "en": "Rocket\ufdd0"}}, "title.en"),
    ({"title": "Fusée\ufffe"}, "title"),
    ({"description": {"en": "Launched \U0001fffe"}}, "description.en"),
    ({"credit_line": {"fr": "Don \U0010ffff"}}, "credit_line.fr"),
    ({"object_number": "1944.0001\uffff"}, "object_number"),
    ({"production": {"date": {"display": "vers 1944\x0c"}}}, "production.date.display"),
    ({"production": {"date": {"edtf": "1944\x00"}}}, "production.date.edtf"),
    ({"dimensions": [{"type": "height", "value": 14, "unit": "m\uffff"}]}, "dimensions.0.unit"),
    (
        {"dimensions": [{"type": "height", "value": 14, "unit": "m", "note": "\x07"}]},
        "dimensions.0.note",
    ),
    ({"inscriptions": [{"text": "WA 1944\uffff"}]}, "inscriptions.0.text"),
    (
        {"inscriptions": [{"text": "WA", "translation": {"en": "Army\ufdef"}}]},
        "inscriptions.0.translation.en",
    ),
    # URLs, enumerations and codes are text too: a NUL in a URI reached PostgreSQL (a 500).
    ({"rights": {"uri": "http://example.org/a\x00b"}}, "rights.uri"),
    ({"rights": {"uri": "http://example.org/\uffff"}}, "rights.uri"),
    ({"rights": {"statement": "In copyright\uffff"}}, "rights.statement"),
    ({"acquisition": {"source_contact": "Mme X \ud800"}}, "acquisition.source_contact"),
    ({"valuation": {"amount": "10.00", "currency": "EU\x00"}}, "valuation.currency"),
    ({"internal_notes": "Revu en 2026\uffff"}, "internal_notes"),
    ({"status": "public\x00"}, "status"),
    ({"title\uffff": "Fusée"}, "_schema"),
]


@pytest.mark.parametrize(("changes", "path"), REFUSED_IN_OBJECTS)
def test_refused_text_in_a_public_object_is_422_naming_the_field(
    client, curator, state, changes, path
):
    before = state()
    response = client.post(
        "/api/v1/objects", json=base(**{"status": "public", **changes}), headers=curator.headers
    )
    problem = helpers.is_problem(response, 422)
    assert path in problem["errors"], problem["errors"]
    assert "may not contain U+" in " ".join(problem["errors"][path])
    assert state() == before


def test_a_refused_title_in_a_put_or_patch_changes_nothing(client, curator, state):
    record = helpers.obj(client, curator, title={"fr": "Fusée A4"})
    _, etag = helpers.read(client, curator, record)
    before = state()
    path = f"/api/v1/objects/{record['id']}"
    patch = {"status": "public", "title": {"fr": "Fusée A4\uffff"}}
    replaced = {**base(), "object_number": record["object_number"], **patch}
    for method, body in (("patch", patch), ("put", replaced)):
        response = helpers.write(client, curator, method, path, body, etag)
        assert "title.fr" in helpers.is_problem(response, 422)["errors"]
    assert state() == before
    assert helpers.read(client, curator, record)[1] == etag


def test_a_draft_holding_refused_text_is_told_why_it_cannot_be_published(app, client, curator):
    """A draft written before the rule: publishing it names the field to mend, then works."""
    record = helpers.obj(client, curator, title={"fr": "Fusée A4"})
    helpers.write_unchecked(app, record, title={"fr": "Fusée A4\uffff", "en": "A4 rocket"})
    _, etag = helpers.read(client, curator, record)
    path = f"/api/v1/objects/{record['id']}"
    refused = helpers.write(client, curator, "patch", path, {"status": "public"}, etag)
    assert "title.fr" in helpers.is_problem(refused, 422)["errors"]
    assert error_code(oai(client, verb="ListRecords", metadataPrefix="lido")) == "noRecordsMatch"
    mended = helpers.write(
        client, curator, "patch", path, {"status": "public", "title": {"fr": "Fusée A4"}}, etag
    )
    assert mended.status_code == 200, mended.get_data(as_text=True)
    doc = oai(client, verb="ListRecords", metadataPrefix="lido")
    titles = [e.text for e in doc.iterfind(".//lido:titleSet/lido:appellationValue", NS)]
    assert titles == ["A4 rocket", "Fusée A4"]


def test_text_xml_carries_is_accepted_and_published(client, curator):
    """Tab, line breaks, C1 controls and private-use characters are not refused."""
    title = {"fr": "Fusée\u0085A4\ue000", "en": "A4 rocket"}
    description = {"fr": "Ligne 1\nLigne 2\tcolonne\r\nfin"}
    record = helpers.obj(client, curator, status="public", title=title, description=description)
    assert record["title"] == title and record["description"] == description
    for prefix in ("lido", "oai_dc"):
        response = client.get(
            "/oai", query_string={"verb": "ListRecords", "metadataPrefix": prefix}
        )
        assert_valid_oai(response.data)
        assert "Fusée\u0085A4\ue000".encode() in response.data


AUTHORITIES = [
    ("terms", {"vocabulary": "material", "label": {"fr": "Acier\uffff"}}, "label.fr"),
    (
        "terms",
        {"vocabulary": "material", "label": {"fr": "Acier"}, "scope_note": {"en": "\x01"}},
        "scope_note.en",
    ),
    ("agents", {"kind": "person", "label": {"fr": "W. von Braun"}, "dates": "1912\x00"}, "dates"),
    ("agents", {"kind": "person", "label": {"en": "Wernher\ufdd0"}}, "label.en"),
    ("places", {"label": {"fr": "Wizernes"}, "uri": "http://www.wikidata.org/\x00"}, "uri"),
    ("collections", {"label": {"fr": "Armes"}, "description": {"fr": "\uffff"}}, "description.fr"),
    ("locations", {"kind": "room", "label": {"fr": "Réserve\ufffe"}}, "label.fr"),
]


@pytest.mark.parametrize(("kind", "body", "path"), AUTHORITIES)
def test_refused_text_in_authorities_is_422_naming_the_field(client, curator, kind, body, path):
    response = client.post(f"/api/v1/{kind}", json=body, headers=curator.headers)
    assert path in helpers.is_problem(response, 422)["errors"]
    assert client.get(f"/api/v1/{kind}", headers=curator.headers).get_json()["total"] == 0


def test_refused_text_in_an_authority_patch_changes_nothing(client, curator):
    steel = helpers.term(client, curator, "material", "acier", "steel")
    path = f"/api/v1/terms/{steel['id']}"
    etag = client.get(path).headers["ETag"]
    response = helpers.write(client, curator, "patch", path, {"label": {"en": "st\ufffeel"}}, etag)
    assert "label.en" in helpers.is_problem(response, 422)["errors"]
    assert client.get(path).get_json()["label"] == {"fr": "acier", "en": "steel"}


def test_refused_text_in_movements_and_condition_checks(client, curator):
    record = helpers.obj(client, curator)
    room = helpers.location(client, curator, "Réserve A")
    moved = helpers.move(client, curator, record, room, reason="Prêt\uffff")
    assert "reason" in helpers.is_problem(moved, 422)["errors"]
    checked = client.post(
        f"/api/v1/objects/{record['id']}/condition-checks",
        json={"condition": "good", "notes": "Rouille\x00"},
        headers=curator.headers,
    )
    assert "notes" in helpers.is_problem(checked, 422)["errors"]
    for listing in ("movements", "condition-checks"):
        url = f"/api/v1/objects/{record['id']}/{listing}"
        assert client.get(url, headers=curator.headers).get_json()["total"] == 0


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("/api/v1/terms?q=%EF%BF%BF", "q"),
        ("/api/v1/agents?q=Braun%00", "q"),
        ("/api/v1/objects/{id}/movements?page=%00", "page"),
    ],
)
def test_refused_text_in_query_arguments_is_422(client, curator, query, name):
    record = helpers.obj(client, curator)
    response = client.get(query.format(id=record["id"]), headers=curator.headers)
    assert name in helpers.is_problem(response, 422)["errors"]


@pytest.mark.parametrize(
    "q", ["%00", "fus%C3%A9e%EF%BF%BF", "title:%00", "%22%00%22", "%EF%B7%90*"]
)
def test_a_search_for_refused_text_is_a_400_saying_why(client, q):
    problem = helpers.is_problem(client.get(f"/api/v1/search?q={q}"), 400)
    assert "may not contain U+" in problem["detail"]


def test_unknown_query_arguments_are_still_ignored(client):
    assert client.get("/api/v1/objects?utm_source=%00").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/linked-art/objects/%00",
        "/linked-art/objects/{id}%00",
        "/linked-art/objects/{id}%EF%BF%BF",
        "/iiif/3/objects/{id}%00/manifest",
        "/sitemaps/%00.xml",
        "/sitemaps/99999999999999999999.xml",
        "/iiif/discovery/pages/%00.json",
        "/iiif/discovery/pages/9223372036854775808.json",
        "/api/v1/changes?since=%00",
        "/api/v1/changes?since=%EF%BF%BF",
        "/api/v1/objects/by-number/%EF%BF%BF",
        "/api/v1/objects?lang=%EF%BF%BF",
    ],
)
def test_other_channels_answer_refused_text_with_a_4xx_problem(client, curator, path):
    record = helpers.obj(client, curator, status="public")
    response = client.get(path.format(id=record["id"]))
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"


def test_every_channel_serves_text_stored_before_the_rule(app, client, curator):
    """Records saved before the rule keep working everywhere they are read."""
    record = helpers.obj(client, curator, status="public", title={"fr": "Fusée"})
    helpers.media(app, record, caption="Vue\uffff")
    legacy = {"fr": "Fusée\uffff\x01 <A4>", "en": "Rocket\ufdd0"}
    helpers.write_unchecked(app, record, title=legacy)
    read = client.get(f"/api/v1/objects/{record['id']}")
    assert read.status_code == 200 and read.get_json()["title"] == legacy
    linked = client.get(f"/linked-art/objects/{record['id']}")
    assert linked.status_code == 200
    assert linked.get_json()["_label"] == "Fusée\uffff\x01 <A4>"
    manifest = client.get(f"/iiif/3/objects/{record['id']}/manifest")
    assert manifest.status_code == 200
    assert manifest.get_json()["label"]["fr"] == ["Fusée\uffff\x01 <A4>"]
    assert client.get("/sitemap.xml").status_code == 200
    for prefix in ("lido", "oai_dc"):
        args = {"verb": "ListRecords", "metadataPrefix": prefix}
        assert_valid_oai(client.get("/oai", query_string=args).data)
    exported = client.get("/api/v1/exports/objects.jsonl")
    assert exported.status_code == 200 and "Rocket\ufdd0" in exported.get_data(as_text=True)
