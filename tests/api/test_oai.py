"""OAI-PMH 2.0: every verb, both formats, deletions, dates, sets, tokens and errors.

Every response is validated against the official schemas (envelope, oai_dc, LIDO 1.1).
"""

from __future__ import annotations

import pytest

from tests import helpers
from tests.conformance import assert_valid_oai

NS = {"o": "http://www.openarchives.org/OAI/2.0/", "lido": "http://www.lido-schema.org"}
REPO = "catalogue.example.org"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def oai(client, **args):
    response = client.get("/oai", query_string=args)
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    return assert_valid_oai(response.data)


def error_code(doc) -> str | None:
    error = doc.find("o:error", NS)
    return None if error is None else error.get("code")


def identifiers(doc) -> list[str]:
    return [e.text for e in doc.iterfind(".//o:header/o:identifier", NS)]


def oai_id(record: dict) -> str:
    return f"oai:{REPO}:{record['id']}"


def set_status(client, caller, record, status):
    _, etag = helpers.read(client, caller, record)
    response = client.patch(
        f"/api/v1/objects/{record['id']}",
        json={"status": status},
        headers={**caller.headers, "If-Match": etag},
    )
    assert response.status_code == 200


def delete(client, caller, record):
    _, etag = helpers.read(client, caller, record)
    response = client.delete(
        f"/api/v1/objects/{record['id']}", headers={**caller.headers, "If-Match": etag}
    )
    assert response.status_code == 204


@pytest.fixture
def rocket(client, curator):
    """A public object with every field LIDO carries."""
    kind = helpers.term(
        client, curator, "object_type", "Fusée", "Rocket", "http://vocab.getty.edu/aat/300178421"
    )
    steel = helpers.term(
        client, curator, "material", "acier", "steel", "http://vocab.getty.edu/aat/300011914"
    )
    maker = helpers.agent(client, curator, "Mittelwerk GmbH")
    dora = helpers.place(client, curator, "Mittelbau-Dora")
    weapons = helpers.collection(client, curator, "Armes secrètes", "Secret weapons")
    return helpers.obj(
        client,
        curator,
        object_number="1997.0001.001",
        status="public",
        object_type={"id": kind["id"]},
        title={"fr": "Fusée A4 <V2> & co", "en": "A4 (V2) rocket"},
        production={
            "date": {"display": "1944", "edtf": "1944"},
            "place": {"id": dora["id"]},
            "makers": [{"agent": {"id": maker["id"]}, "role": "manufacturer"}],
        },
        materials=[{"id": steel["id"]}],
        dimensions=[{"type": "height", "value": 14.0, "unit": "m"}],
        rights={"statement": "In copyright", "uri": "http://rightsstatements.org/vocab/InC/1.0/"},
        collections=[{"id": weapons["id"]}],
    )


def test_identify_describes_the_repository(client):
    doc = oai(client, verb="Identify")
    assert doc.findtext("o:Identify/o:baseURL", namespaces=NS) == "http://localhost/oai"
    assert doc.findtext("o:Identify/o:protocolVersion", namespaces=NS) == "2.0"
    assert doc.findtext("o:Identify/o:deletedRecord", namespaces=NS) == "persistent"
    assert doc.findtext("o:Identify/o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"


def test_post_requests_are_answered_like_get(client, rocket):
    response = client.post(
        "/oai", data={"verb": "GetRecord", "identifier": oai_id(rocket), "metadataPrefix": "oai_dc"}
    )
    doc = assert_valid_oai(response.data)
    assert identifiers(doc) == [oai_id(rocket)]


def test_metadata_formats_for_the_repository_and_for_one_record(client, rocket):
    for args in ({}, {"identifier": oai_id(rocket)}):
        doc = oai(client, verb="ListMetadataFormats", **args)
        prefixes = [e.text for e in doc.iterfind(".//o:metadataPrefix", NS)]
        assert prefixes == ["oai_dc", "lido"]


def test_sets_are_the_collections(client, rocket):
    doc = oai(client, verb="ListSets")
    specs = [e.text for e in doc.iterfind(".//o:setSpec", NS)]
    weapons = rocket["collections"][0]
    assert specs == ["collection", f"collection:{weapons['id']}"]
    assert (
        oai(
            client,
            verb="ListIdentifiers",
            metadataPrefix="oai_dc",
            set=f"collection:{weapons['id']}",
        )
        is not None
    )


def test_lido_record_carries_the_object(client, rocket):
    doc = oai(client, verb="GetRecord", identifier=oai_id(rocket), metadataPrefix="lido")
    lido = doc.find(".//lido:lido", NS)
    titles = {
        e.get(XML_LANG): e.text for e in lido.iterfind(".//lido:titleSet/lido:appellationValue", NS)
    }
    assert titles == {"fr": "Fusée A4 <V2> & co", "en": "A4 (V2) rocket"}
    assert lido.findtext(".//lido:workID", namespaces=NS) == "1997.0001.001"
    uris = [e.text for e in lido.iterfind(".//lido:conceptID[@lido:type='URI']", NS)]
    assert "http://vocab.getty.edu/aat/300178421" in uris  # object type
    assert "http://vocab.getty.edu/aat/300011914" in uris  # material
    event = lido.find(".//lido:event", NS)
    assert (
        event.findtext(".//lido:nameActorSet/lido:appellationValue", namespaces=NS)
        == "Mittelwerk GmbH"
    )
    assert event.findtext(".//lido:roleActor/lido:term", namespaces=NS) == "manufacturer"
    assert event.findtext(".//lido:earliestDate", namespaces=NS) == "1944-01-01"
    assert event.findtext(".//lido:latestDate", namespaces=NS) == "1944-12-31"
    assert (
        event.findtext(".//lido:namePlaceSet/lido:appellationValue", namespaces=NS)
        == "Mittelbau-Dora"
    )
    measurement = lido.find(".//lido:measurementsSet", NS)
    assert [
        measurement.findtext(f"lido:{n}", namespaces=NS)
        for n in ("measurementType", "measurementUnit", "measurementValue")
    ] == ["height", "m", "14.0"]
    assert (
        lido.findtext(".//lido:rightsType/lido:conceptID", namespaces=NS)
        == "http://rightsstatements.org/vocab/InC/1.0/"
    )
    assert lido.findtext(".//lido:recordSource//lido:appellationValue", namespaces=NS).startswith(
        "La Coupole"
    )
    assert (
        lido.findtext(".//lido:recordInfoLink", namespaces=NS)
        == f"http://localhost/objects/{rocket['id']}"
    )


def test_dublin_core_record(client, rocket):
    doc = oai(client, verb="GetRecord", identifier=oai_id(rocket), metadataPrefix="oai_dc")
    dc = {"dc": "http://purl.org/dc/elements/1.1/"}
    titles = {e.get(XML_LANG): e.text for e in doc.iterfind(".//dc:title", dc)}
    assert titles == {"fr": "Fusée A4 <V2> & co", "en": "A4 (V2) rocket"}
    assert "1997.0001.001" in [e.text for e in doc.iterfind(".//dc:identifier", dc)]
    assert doc.findtext(".//dc:creator", namespaces=dc) == "Mittelwerk GmbH"


def test_deleted_and_unpublished_records_stay_as_deleted_headers(client, curator, rocket):
    gone = helpers.obj(client, curator, status="public")
    hidden = helpers.obj(client, curator, status="public")
    never = helpers.obj(client, curator, status="internal")
    delete(client, curator, gone)
    set_status(client, curator, hidden, "draft")
    doc = oai(client, verb="ListRecords", metadataPrefix="lido")
    headers = {
        h.findtext("o:identifier", namespaces=NS): h.get("status")
        for h in doc.iterfind(".//o:header", NS)
    }
    assert headers == {oai_id(rocket): None, oai_id(gone): "deleted", oai_id(hidden): "deleted"}
    assert oai_id(never) not in headers
    for record in (gone, hidden):
        single = oai(client, verb="GetRecord", identifier=oai_id(record), metadataPrefix="oai_dc")
        assert single.find(".//o:header", NS).get("status") == "deleted"
        assert single.find(".//o:metadata", NS) is None
    assert (
        error_code(oai(client, verb="GetRecord", identifier=oai_id(never), metadataPrefix="lido"))
        == "idDoesNotExist"
    )


def test_from_and_until_select_by_datestamp_at_seconds(client, curator, rocket):
    doc = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    stamp = doc.findtext(".//o:datestamp", namespaces=NS)
    assert len(stamp) == 20 and stamp.endswith("Z")
    assert identifiers(
        oai(
            client,
            verb="ListIdentifiers",
            metadataPrefix="oai_dc",
            **{"from": stamp, "until": stamp},
        )
    ) == [oai_id(rocket)]
    assert identifiers(
        oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": stamp[:10]})
    ) == [oai_id(rocket)]
    assert (
        error_code(
            oai(
                client,
                verb="ListIdentifiers",
                metadataPrefix="oai_dc",
                **{"from": "2100-01-01T00:00:00Z"},
            )
        )
        == "noRecordsMatch"
    )
    assert (
        error_code(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2000-01-01"))
        == "noRecordsMatch"
    )


def test_resumption_tokens_page_through_with_size_and_cursor(app, client, curator, monkeypatch):
    monkeypatch.setitem(app.config, "OAI_PAGE_SIZE", 2)
    made = [oai_id(helpers.obj(client, curator, status="public")) for _ in range(5)]
    seen, token, cursors = [], None, []
    while True:
        args = {"resumptionToken": token} if token else {"metadataPrefix": "lido"}
        doc = oai(client, verb="ListRecords", **args)
        seen += identifiers(doc)
        element = doc.find(".//o:resumptionToken", NS)
        cursors.append(element.get("cursor"))
        assert element.get("completeListSize") == "5"
        token = element.text
        if not token:
            break
    assert seen == made
    assert cursors == ["0", "2", "4"]


ERRORS = [
    ({}, "badVerb"),
    ({"verb": "Dance"}, "badVerb"),
    ({"verb": "Identify", "set": "x"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "GetRecord", "metadataPrefix": "lido"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "lido", "from": "yesterday"}, "badArgument"),
    (
        {
            "verb": "ListRecords",
            "metadataPrefix": "lido",
            "from": "2020-01-01",
            "until": "2020-01-01T00:00:00Z",
        },
        "badArgument",
    ),
    (
        {
            "verb": "ListRecords",
            "metadataPrefix": "lido",
            "from": "2021-01-01",
            "until": "2020-01-01",
        },
        "badArgument",
    ),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "ListRecords", "resumptionToken": "garbage"}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": "WyJMaXN0UmVjb3JkcyJd"}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "lido"}, "badArgument"),
    ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
    ({"verb": "ListRecords", "metadataPrefix": "lido", "set": "collection:nope"}, "noRecordsMatch"),
    (
        {"verb": "GetRecord", "metadataPrefix": "lido", "identifier": "oai:elsewhere:1"},
        "idDoesNotExist",
    ),
    (
        {
            "verb": "ListMetadataFormats",
            "identifier": f"oai:{REPO}:00000000-0000-0000-0000-000000000000",
        },
        "idDoesNotExist",
    ),
]


@pytest.mark.parametrize(("args", "code"), ERRORS)
def test_protocol_errors(client, rocket, args, code):
    doc = oai(client, **args)
    assert error_code(doc) == code
    if code in ("badVerb", "badArgument"):
        assert dict(doc.find("o:request", NS).attrib) == {}


def test_repeated_arguments_are_bad(client):
    response = client.get("/oai?verb=Identify&verb=Identify")
    assert error_code(assert_valid_oai(response.data)) == "badVerb"
    response = client.get("/oai?verb=ListRecords&metadataPrefix=lido&metadataPrefix=lido")
    assert error_code(assert_valid_oai(response.data)) == "badArgument"


def test_an_empty_repository_has_no_records(client):
    assert error_code(oai(client, verb="ListRecords", metadataPrefix="oai_dc")) == "noRecordsMatch"
