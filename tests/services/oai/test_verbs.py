"""OAI-PMH answers, built by the service: what a harvester is told, and that asking writes
nothing."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from catalogue.extensions import db
from catalogue.models import ChangeLogEntry, OaiPayload
from catalogue.services.oai import verbs
from catalogue.services.oai.formats import Context
from tests.conformance import assert_valid_oai
from tests.services.builders import new_object, patch

NS = {
    "o": "http://www.openarchives.org/OAI/2.0/",
    "lido": "http://www.lido-schema.org",
    "dc": "http://purl.org/dc/elements/1.1/",
}
BASE = "https://collections.museum.example"


@pytest.fixture
def settings(app):
    config = app.config
    return verbs.Settings(
        repository_identifier=config["OAI_REPOSITORY_IDENTIFIER"],
        repository_name=config["INSTITUTION_NAME"],
        admin_email=config["OAI_ADMIN_EMAIL"],
        page_size=2,
        context=Context(BASE, config["INSTITUTION_NAME"], config["DEFAULT_LANGUAGE"]),
    )


def harvest(settings, **args):
    """The answer, parsed and checked against the schemas."""
    return assert_valid_oai(verbs.respond(settings, {k: [v] for k, v in args.items()}))


def oai_id(settings, record: dict) -> str:
    return f"oai:{settings.repository_identifier}:{record['id']}"


def error_code(doc) -> str | None:
    error = doc.find("o:error", NS)
    return None if error is None else error.get("code")


def headers(doc) -> dict[str, str | None]:
    return {
        h.findtext("o:identifier", namespaces=NS): h.get("status")
        for h in doc.iterfind(".//o:header", NS)
    }


def dc_titles(doc) -> list[str]:
    return [e.text for e in doc.iterfind(".//dc:title", NS)]


def test_identify_describes_the_repository(ctx, settings):
    empty = harvest(settings, verb="Identify")
    assert empty.findtext("o:Identify/o:earliestDatestamp", namespaces=NS) == (
        "2000-01-01T00:00:00Z"
    )
    new_object(status="draft")
    doc = harvest(settings, verb="Identify")
    identify = doc.find("o:Identify", NS)
    assert identify.findtext("o:repositoryName", namespaces=NS) == settings.repository_name
    assert identify.findtext("o:baseURL", namespaces=NS) == f"{BASE}/oai"
    assert identify.findtext("o:adminEmail", namespaces=NS) == settings.admin_email
    assert identify.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    first = db.session.execute(sa.select(sa.func.min(ChangeLogEntry.at))).scalar_one()
    db.session.remove()
    stamp = first.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert identify.findtext("o:earliestDatestamp", namespaces=NS) == stamp


def test_list_records_holds_public_records_and_deleted_headers(ctx, settings):
    assert error_code(harvest(settings, verb="ListRecords", metadataPrefix="oai_dc")) == (
        "noRecordsMatch"
    )
    public = new_object(status="public", title={"fr": "Casque Adrian"})
    unpublished = new_object(status="public", title={"fr": "Masque à gaz"})
    patch(unpublished, {"status": "internal"})
    never = new_object(status="draft", title={"fr": "Brouillon"})
    doc = harvest(settings, verb="ListRecords", metadataPrefix="oai_dc")
    assert headers(doc) == {
        oai_id(settings, public): None,
        oai_id(settings, unpublished): "deleted",
    }
    assert oai_id(settings, never) not in headers(doc)
    assert dc_titles(doc) == ["Casque Adrian"]
    # Markers in the stored payload are filled in for this answer.
    links = [e.text for e in doc.iterfind(".//dc:identifier", NS)]
    assert f"{BASE}/objects/{public['id']}" in links


def test_get_record_of_a_hidden_or_unknown_record_does_not_exist(ctx, settings):
    draft = new_object(status="draft", title={"fr": "Brouillon"})
    for identifier in (
        oai_id(settings, draft),
        oai_id(settings, {"id": str(uuid.uuid4())}),
        f"oai:another.example:{draft['id']}",
        "not an identifier",
    ):
        doc = harvest(settings, verb="GetRecord", metadataPrefix="lido", identifier=identifier)
        assert error_code(doc) == "idDoesNotExist", identifier
        assert doc.find("o:GetRecord", NS) is None


def test_get_record_of_a_record_once_public_is_a_deleted_header(ctx, settings):
    record = new_object(status="public", title={"fr": "Périscope"})
    doc = harvest(
        settings, verb="GetRecord", metadataPrefix="lido", identifier=oai_id(settings, record)
    )
    titles = [e.text for e in doc.iterfind(".//lido:titleSet/lido:appellationValue", NS)]
    assert titles == ["Périscope"]
    patch(record, {"status": "draft"})
    doc = harvest(
        settings, verb="GetRecord", metadataPrefix="lido", identifier=oai_id(settings, record)
    )
    assert headers(doc) == {oai_id(settings, record): "deleted"}
    assert doc.find(".//o:metadata", NS) is None


def test_a_harvest_pages_in_log_order_and_never_skips_a_record_changed_meanwhile(ctx, settings):
    records = [new_object(status="public", title={"fr": f"Douille {n}"}) for n in range(3)]
    first = harvest(settings, verb="ListRecords", metadataPrefix="oai_dc")
    assert dc_titles(first) == ["Douille 0", "Douille 1"]
    token = first.find(".//o:resumptionToken", NS)
    assert token.get("completeListSize") == "3" and token.get("cursor") == "0"
    # A record already harvested changes before the next page: it comes again at the end.
    patch(records[0], {"title": {"fr": "Douille 0 (corrigée)"}})
    second = harvest(settings, verb="ListRecords", resumptionToken=token.text)
    assert dc_titles(second) == ["Douille 2", "Douille 0 (corrigée)"]
    last = second.find(".//o:resumptionToken", NS)
    assert last.text is None and last.get("cursor") == "2"


def test_a_harvest_never_writes(ctx, settings):
    record = new_object(status="public", title={"fr": "Jumelles"})
    # As in a database restored from rows written before payloads were kept.
    db.session.execute(sa.delete(OaiPayload))
    db.session.commit()
    db.session.remove()
    session = db.session()
    writes = []

    def flushed(*_):
        writes.append("flush")

    def committed(*_):
        writes.append("commit")

    event.listen(session, "after_flush", flushed)
    event.listen(session, "after_commit", committed)
    try:
        listed = harvest(settings, verb="ListRecords", metadataPrefix="oai_dc")
        one = harvest(
            settings, verb="GetRecord", metadataPrefix="lido", identifier=oai_id(settings, record)
        )
        left = db.session.execute(sa.select(sa.func.count()).select_from(OaiPayload)).scalar_one()
    finally:
        event.remove(session, "after_flush", flushed)
        event.remove(session, "after_commit", committed)
    # The answer holds the record, built for this answer only.
    assert dc_titles(listed) == ["Jumelles"]
    assert [e.text for e in one.iterfind(".//lido:titleSet/lido:appellationValue", NS)] == [
        "Jumelles"
    ]
    assert writes == [] and left == 0
    db.session.remove()
    assert db.session.execute(sa.select(sa.func.count()).select_from(OaiPayload)).scalar_one() == 0
