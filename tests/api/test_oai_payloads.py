"""OAI-PMH metadata is stored with each record and always harvested as the record is now."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject, Collection, OaiPayload, packed
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

    helpers.edit(
        client, curator, record, {"title": {"fr": "Casque Adrian <modèle 1926> & jugulaire"}}
    )
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


def dc_values(doc, name: str) -> list[str]:
    return [e.text for e in doc.iterfind(f".//{{http://purl.org/dc/elements/1.1/}}{name}")]


def concept_terms(doc) -> list[str]:
    return [e.text for e in doc.iterfind(".//lido:termMaterialsTech/lido:term", NS)]


def test_a_relabelled_authority_is_harvested_in_every_record_using_it(client, curator):
    steel = helpers.term(client, curator, "material", "acier", "steel")
    record = helpers.obj(client, curator, status="public", materials=[{"id": steel["id"]}])
    assert concept_terms(oai(client, verb="ListRecords", metadataPrefix="lido")) == [
        "steel",
        "acier",
    ]
    response = helpers.write(
        client,
        curator,
        "patch",
        f"/api/v1/terms/{steel['id']}",
        {"label": {"fr": "acier inoxydable", "en": "stainless steel"}},
    )
    assert response.status_code == 200, response.get_json()
    lido = oai(client, verb="ListRecords", metadataPrefix="lido")
    assert concept_terms(lido) == ["stainless steel", "acier inoxydable"]
    one = oai(
        client, verb="GetRecord", metadataPrefix="oai_dc", identifier=f"oai:{REPO}:{record['id']}"
    )
    assert set(dc_values(one, "format")) == {"stainless steel", "acier inoxydable"}


def test_a_record_edited_while_unpublished_is_harvested_as_republished(client, curator):
    record = helpers.obj(client, curator, status="public", title={"fr": "Masque à gaz"})
    assert titles(oai(client, verb="ListRecords", metadataPrefix="lido")) == ["Masque à gaz"]
    set_status(client, curator, record, "internal")
    helpers.edit(client, curator, record, {"title": {"fr": "Masque à gaz M2"}})
    listed = oai(client, verb="ListRecords", metadataPrefix="lido")
    assert titles(listed) == []
    assert listed.find(".//o:header", NS).get("status") == "deleted"
    set_status(client, curator, record, "public")
    assert titles(oai(client, verb="ListRecords", metadataPrefix="lido")) == ["Masque à gaz M2"]


def test_record_text_cannot_stand_for_the_address_or_the_institution(client, curator):
    forged = "<?oai base-url?>/x <?oai institution?> <?oai datestamp?> &amp;"
    helpers.obj(client, curator, status="public", title={"fr": forged})
    for prefix in ("lido", "oai_dc"):
        response = client.get(
            "/oai", query_string={"verb": "ListRecords", "metadataPrefix": prefix}
        )
        doc = assert_valid_oai(response.data)
        shown = titles(doc) if prefix == "lido" else dc_values(doc, "title")
        assert shown == [forged]
        assert b"http://localhost/x" not in response.data


def test_the_institution_is_the_configured_one_when_harvested(app, client, curator, monkeypatch):
    helpers.obj(client, curator, status="public", title={"fr": "Jumelles"})
    monkeypatch.setitem(app.config, "INSTITUTION_NAME", 'Musée "Fort" & <Tour> d\'Art')
    monkeypatch.setitem(app.config, "DEFAULT_LANGUAGE", "en")
    doc = oai(client, verb="ListRecords", metadataPrefix="lido")
    names = [e.text for e in doc.iterfind(".//lido:legalBodyName/lido:appellationValue", NS)]
    assert names and set(names) == {'Musée "Fort" & <Tour> d\'Art'}
    sources = {
        e.get("{http://www.lido-schema.org}source") for e in doc.iterfind(".//*[@lido:source]", NS)
    }
    assert sources == {'Musée "Fort" & <Tour> d\'Art'}
    described = doc.find(".//lido:descriptiveMetadata", NS)
    assert described.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    dc = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert dc_values(dc, "publisher") == ['Musée "Fort" & <Tour> d\'Art']


def test_records_stored_without_payloads_are_harvested_in_full(app, client, curator):
    """A database restored from rows written before payloads were kept with the records."""
    record = helpers.obj(client, curator, status="public", title={"fr": "Périscope"})
    with app.app_context():
        db.session.execute(sa.delete(OaiPayload))
        db.session.commit()
    assert titles(oai(client, verb="ListRecords", metadataPrefix="lido")) == ["Périscope"]
    one = oai(
        client, verb="GetRecord", metadataPrefix="oai_dc", identifier=f"oai:{REPO}:{record['id']}"
    )
    assert dc_values(one, "title") == ["Périscope"]


def test_text_stored_before_the_rule_is_harvested_with_replacement_characters(app, client, curator):
    """A record holding characters XML cannot carry, written before the catalogue refused
    them, is harvested (each such character as U+FFFD) instead of failing the whole page."""
    steel = helpers.term(client, curator, "material", "acier", "steel")
    record = helpers.obj(client, curator, status="public", materials=[{"id": steel["id"]}])
    helpers.obj(client, curator, status="public", title={"fr": "Voisin"})
    helpers.write_unchecked(app, record, title={"fr": "Fusée\uffff A4\x01", "en": "Rocket\ufffe"})
    shown = ["Rocket\ufffd", "Fusée\ufffd A4\ufffd"]
    lido = oai(client, verb="ListRecords", metadataPrefix="lido")
    assert titles(lido) == [*shown, "Voisin"]
    dc = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert shown[1] in dc_values(dc, "title")
    one = oai(
        client, verb="GetRecord", metadataPrefix="lido", identifier=f"oai:{REPO}:{record['id']}"
    )
    assert titles(one) == shown
    # Changes that re-render the record store its payloads again, and do not fail either.
    renamed = helpers.write(
        client, curator, "patch", f"/api/v1/terms/{steel['id']}", {"label": {"en": "mild steel"}}
    )
    assert renamed.status_code == 200, renamed.get_data(as_text=True)
    assert "mild steel" in concept_terms(oai(client, verb="ListRecords", metadataPrefix="lido"))
    rebuilt = app.test_cli_runner().invoke(args=["oai", "rebuild", "--all"])
    assert rebuilt.exit_code == 0, rebuilt.output
    again = oai(client, verb="ListRecords", metadataPrefix="lido")
    assert titles(again) == ["Voisin", *shown]  # re-rendered: changed last


def test_a_set_named_before_the_rule_is_listed(app, client, curator):
    weapons = helpers.collection(client, curator, "Armes", "Weapons")
    with app.app_context():
        db.session.execute(
            sa.update(Collection)
            .where(Collection.id == uuid.UUID(weapons["id"]))
            .values(label={"fr": "Armes\uffff\x02"})
        )
        db.session.commit()
    doc = oai(client, verb="ListSets")
    assert "Armes\ufffd\ufffd" in [e.text for e in doc.iterfind(".//o:setName", NS)]


def test_payloads_of_the_first_compact_format_are_harvested_as_the_record_is(app, client, curator):
    helpers.obj(client, curator, status="public", title={"fr": "Casque Adrian"})
    with app.app_context():
        rows = db.session.execute(
            sa.select(OaiPayload.object_id, OaiPayload.prefix, OaiPayload.payload)
        ).all()
        assert {row.payload[0] for row in rows} == {packed.XML_DICTIONARY}  # Zstandard
        public = db.session.execute(sa.select(CatalogueObject.public_json)).scalar_one()
        # Rewritten as the first version of the format stored them: zlib, the public view in
        # the dictionary. Read without that view they cannot be copied; they are rebuilt.
        for row in rows:
            first = packed.pack(
                packed.unpack(row.payload), packed.ZLIB_XML_WITH_RECORD, public.encode()
            )
            assert first[0] == packed.ZLIB_XML_WITH_RECORD
            db.session.execute(
                sa.update(OaiPayload)
                .where(OaiPayload.object_id == row.object_id, OaiPayload.prefix == row.prefix)
                .values(payload=first)
            )
        db.session.commit()
    assert titles(oai(client, verb="ListRecords", metadataPrefix="lido")) == ["Casque Adrian"]
    dc = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert [e.text for e in dc.iterfind(".//{http://purl.org/dc/elements/1.1/}title")] == [
        "Casque Adrian"
    ]
