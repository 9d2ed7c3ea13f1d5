"""OAI-PMH arguments are checked before anything: a bad one is badArgument (or badVerb), with
a response valid against the protocol's schema that echoes no argument (the protocol leaves
the ``<request>`` element's attributes out on badVerb and badArgument)."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import helpers
from tests.api.test_fuzzed_bodies import FUZZ
from tests.api.test_oai import NS, REPO, error_code, identifiers
from tests.conformance import assert_valid_oai

LIST = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
BAD = [
    ({**LIST, "set": "\x00"}, "badArgument"),
    ({**LIST, "set": "collection:\uffff"}, "badArgument"),
    ({**LIST, "from": "\x00"}, "badArgument"),
    ({**LIST, "until": "2024-01-01\x00"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "\x00"}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "\x00"}, "badArgument"),
    ({"verb": "ListIdentifiers", "resumptionToken": "abc\x1bdef"}, "badArgument"),
    ({"verb": "GetRecord", "metadataPrefix": "lido", "identifier": "\x00"}, "badArgument"),
    (
        {"verb": "GetRecord", "metadataPrefix": "lido", "identifier": f"oai:{REPO}:\ufdd0"},
        "badArgument",
    ),
    ({"verb": "ListMetadataFormats", "identifier": "oai:x\x08"}, "badArgument"),
    ({"verb": "Identify", "\x00": "1"}, "badArgument"),
    ({"verb": "Identify", "x": "\ufffe"}, "badArgument"),
    ({"verb": "\x00"}, "badVerb"),
    ({"verb": "Identify\x00"}, "badVerb"),
    ({"verb": "\uffff"}, "badVerb"),
    # Values XML carries but the protocol's syntax refuses: echoed, they made the answer
    # invalid against OAI-PMH.xsd.
    ({**LIST, "set": ""}, "badArgument"),
    ({**LIST, "set": "collection: one"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai dc"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc", "from": "garbage"}, "badArgument"),
    ({**LIST, "from": "2024-1-1"}, "badArgument"),
    ({**LIST, "from": "２０２４-01-01"}, "badArgument"),
    ({**LIST, "until": ""}, "badArgument"),
    ({"verb": "GetRecord", "metadataPrefix": "lido", "identifier": ""}, "badArgument"),
]


def answer(client, method: str, args: dict):
    if method == "get":
        response = client.get("/oai", query_string=args)
    else:
        response = client.post("/oai", data=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/xml"
    return assert_valid_oai(response.data)


@pytest.fixture
def rocket(client, curator):
    return helpers.obj(client, curator, status="public", title={"fr": "Fusée A4"})


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("args", "code"), BAD)
def test_bad_arguments_are_protocol_errors_that_echo_nothing(client, rocket, method, args, code):
    doc = answer(client, method, args)
    assert error_code(doc) == code
    request = doc.find("o:request", NS)
    assert dict(request.attrib) == {} and request.text == "http://localhost/oai"


@pytest.mark.parametrize("method", ["get", "post"])
def test_other_errors_still_echo_the_legal_arguments(client, rocket, method):
    args = {"verb": "GetRecord", "metadataPrefix": "marc", "identifier": f"oai:{REPO}:x"}
    doc = answer(client, method, args)
    assert error_code(doc) == "cannotDisseminateFormat"
    assert dict(doc.find("o:request", NS).attrib) == args


def test_until_the_last_day_there_is_lists_everything(client, rocket):
    for until in ("9999-12-31", "9999-12-31T23:59:59Z"):
        doc = answer(client, "get", {**LIST, "until": until})
        assert identifiers(doc) == [f"oai:{REPO}:{rocket['id']}"]


@pytest.mark.parametrize("after", [2**63, 2**70, -1])
def test_a_token_out_of_range_is_a_bad_resumption_token(client, rocket, after):
    raw = json.dumps(["ListRecords", "oai_dc", None, None, None, after, 0, 1])
    token = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    doc = answer(client, "get", {"verb": "ListRecords", "resumptionToken": token})
    assert error_code(doc) == "badResumptionToken"


ARGUMENT_NAMES = ["verb", "metadataPrefix", "identifier", "set", "from", "until"]
texts = st.text(max_size=12) | st.sampled_from(
    ["Identify", "ListRecords", "GetRecord", "oai_dc", "lido", "collection", "2024-01-01"]
)


@FUZZ
@given(
    args=st.dictionaries(st.sampled_from(ARGUMENT_NAMES) | st.text(max_size=6), texts),
    method=st.sampled_from(["get", "post"]),
)
def test_whatever_the_arguments_the_answer_is_valid_oai_pmh(client, rocket, args, method):
    answer(client, method, args)
