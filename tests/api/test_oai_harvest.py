"""A real harvester (Sickle) harvests the demo collection over HTTP through resumption tokens."""

from __future__ import annotations

import threading

import pytest
from sickle import Sickle
from werkzeug.serving import make_server

from catalogue import demo
from catalogue.extensions import db
from tests.conformance import assert_valid_oai


@pytest.fixture
def server(app):
    """The app on a free loopback port, served by werkzeug in a thread."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(5)


class ValidatingSickle(Sickle):
    """Sickle that checks every page it receives against the official schemas."""

    pages = 0

    def harvest(self, **kwargs):
        response = super().harvest(**kwargs)
        assert_valid_oai(response.raw.encode())
        self.pages += 1
        return response


def test_sickle_harvests_the_whole_public_demo_collection(app, client, server, monkeypatch):
    monkeypatch.setitem(app.config, "OAI_PAGE_SIZE", 7)
    with app.app_context():
        demo.load()
        db.session.remove()
    listed = client.get("/api/v1/objects?per_page=100").get_json()
    public = {f"oai:catalogue.example.org:{item['id']}": item for item in listed["items"]}
    assert len(public) == listed["total"] > 7

    harvester = ValidatingSickle(server + "/oai", max_retries=0)
    records = list(harvester.ListRecords(metadataPrefix="lido", ignore_deleted=False))
    assert harvester.pages == -(-len(public) // 7)
    assert {r.header.identifier for r in records} == set(public)
    assert not any(r.header.deleted for r in records)
    for record in records:
        numbers = record.xml.findall(".//{http://www.lido-schema.org}workID")
        assert [n.text for n in numbers] == [public[record.header.identifier]["object_number"]]

    headers = list(harvester.ListIdentifiers(metadataPrefix="oai_dc"))
    assert [h.identifier for h in headers] == [r.header.identifier for r in records]
    dc_records = list(harvester.ListRecords(metadataPrefix="oai_dc"))
    assert {r.metadata["identifier"][0] for r in dc_records} == {
        item["object_number"] for item in public.values()
    }
    sets = {s.setSpec for s in harvester.ListSets()}
    assert len(sets) == 3  # the root set and the demo's two collections
