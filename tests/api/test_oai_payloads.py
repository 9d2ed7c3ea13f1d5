"""OAI-PMH metadata is reused between harvests only while the record it came from is unchanged."""

from __future__ import annotations

from tests import helpers
from tests.api.test_oai import NS, REPO, oai, set_status
from tests.conformance import assert_valid_oai


def titles(doc) -> list[str]:
    return [e.text for e in doc.iterfind(".//lido:titleSet/lido:appellationValue", NS)]


def record_links(doc) -> list[str]:
    return [e.text for e in doc.iterfind(".//lido:recordInfoLink", NS)]


def test_an_edited_record_is_harvested_as_edited(client, curator):
    record = helpers.obj(client, curator, status="public", title={"fr": "Casque Adrian"})
    first = oai(client, verb="ListRecords", metadataPrefix="lido")
    assert titles(first) == ["Casque Adrian"]
    again = oai(client, verb="ListRecords", metadataPrefix="lido")
    assert titles(again) == ["Casque Adrian"]

    _, etag = helpers.read(client, curator, record)
    response = client.patch(
        f"/api/v1/objects/{record['id']}",
        json={"title": {"fr": "Casque Adrian <modèle 1926> & jugulaire"}},
        headers={**curator.headers, "If-Match": etag},
    )
    assert response.status_code == 200
    edited = oai(client, verb="ListRecords", metadataPrefix="lido")
    assert titles(edited) == ["Casque Adrian <modèle 1926> & jugulaire"]
    one = oai(
        client, verb="GetRecord", metadataPrefix="lido", identifier=f"oai:{REPO}:{record['id']}"
    )
    assert titles(one) == ["Casque Adrian <modèle 1926> & jugulaire"]
    dc = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    dc_titles = [e.text for e in dc.iterfind(".//{http://purl.org/dc/elements/1.1/}title")]
    assert dc_titles == ["Casque Adrian <modèle 1926> & jugulaire"]


def test_an_unpublished_record_loses_its_metadata(client, curator):
    record = helpers.obj(client, curator, status="public", title={"fr": "Canary 7Q2"})
    assert titles(oai(client, verb="ListRecords", metadataPrefix="lido")) == ["Canary 7Q2"]
    set_status(client, curator, record, "draft")
    response = client.get("/oai", query_string={"verb": "ListRecords", "metadataPrefix": "lido"})
    doc = assert_valid_oai(response.data)
    assert b"Canary 7Q2" not in response.data
    assert doc.find(".//o:header", NS).get("status") == "deleted"


def test_links_follow_the_address_the_harvester_used(client, curator):
    record = helpers.obj(client, curator, status="public", title={"fr": "Brassard"})
    args = {"verb": "ListRecords", "metadataPrefix": "lido"}
    here = assert_valid_oai(client.get("/oai", query_string=args).data)
    there = assert_valid_oai(
        client.get("/oai", query_string=args, base_url="https://mirror.example").data
    )
    assert record_links(here) == [f"http://localhost/objects/{record['id']}"]
    assert record_links(there) == [f"https://mirror.example/objects/{record['id']}"]
