"""OAI-PMH payloads are stored in the unit of work that changes a record: built when it is
public, removed when it is not, left alone when its public view did not change."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject, OaiPayload
from catalogue.services.authorities import records as authorities
from catalogue.services.oai import payloads
from catalogue.services.objects import locations
from catalogue.services.objects import write as objects_write
from tests.services.builders import (
    CURATOR,
    etag,
    get,
    hooks_added,
    new_authority,
    new_object,
    patch,
    refused,
)


def stored(record: dict) -> dict[str, tuple[str, bytes]]:
    """The payload rows of one object: prefix -> (fingerprint, payload)."""
    rows = db.session.execute(
        sa.select(
            OaiPayload.prefix,
            OaiPayload.fingerprint,
            OaiPayload.payload,
            CatalogueObject.public_json,
        )
        .join(CatalogueObject, CatalogueObject.id == OaiPayload.object_id)
        .where(OaiPayload.object_id == uuid.UUID(record["id"]))
    )
    found = {
        row.prefix: (row.fingerprint, payloads.unpack(row.payload, row.public_json)) for row in rows
    }
    db.session.remove()
    return found


def test_publishing_stores_both_formats_and_unpublishing_removes_them(ctx):
    record = new_object(status="draft", title={"fr": "Casque Adrian"})
    assert stored(record) == {}
    patch(record, {"status": "public"})
    rows = stored(record)
    assert set(rows) == {"oai_dc", "lido"}
    for fingerprint, payload in rows.values():
        assert payloads.current(fingerprint)
        assert b"Casque Adrian" in payload
    patch(record, {"status": "internal"})
    assert stored(record) == {}


def test_a_public_edit_rebuilds_the_payloads(ctx):
    record = new_object(status="public", title={"fr": "Casque"})
    before = stored(record)
    patch(record, {"title": {"fr": "Casque <modèle 1926> & jugulaire"}})
    after = stored(record)
    assert after["lido"][0] != before["lido"][0]
    assert "Casque &lt;modèle 1926&gt; &amp; jugulaire".encode() in after["lido"][1]
    assert "Casque &lt;modèle 1926&gt; &amp; jugulaire".encode() in after["oai_dc"][1]


def test_a_change_the_public_cannot_see_leaves_the_payloads_untouched(ctx):
    store = new_authority("locations", label={"fr": "Réserve"}, kind="room")
    record = new_object(status="public", title={"fr": "Casque"})
    # Mark the stored rows: a rewrite of them would lose the mark.
    marked = payloads.pack(b"<kept/>")
    db.session.execute(sa.update(OaiPayload).values(payload=marked))
    db.session.commit()
    # A movement changes the staff view only (the location), and makes no version.
    locations.record_movement(
        CURATOR, uuid.UUID(record["id"]), {"to_location": uuid.UUID(store["id"])}
    )
    db.session.remove()
    assert get(record)["location"]["label"] == {"fr": "Réserve"}
    assert {payload for _, payload in stored(record).values()} == {b"<kept/>"}
    # A saved edit is a new version of the public record: its payloads are rebuilt.
    patch(record, {"internal_notes": "Vitrine 2"})
    assert b"Casque" in stored(record)["lido"][1]


def test_a_relabelled_authority_rebuilds_the_payloads_of_the_records_using_it(ctx):
    steel = new_authority("terms", vocabulary="material", label={"fr": "acier"})
    using = new_object(status="public", materials=[{"id": steel["id"]}])
    hidden = new_object(status="internal", materials=[{"id": steel["id"]}])
    item_id = uuid.UUID(steel["id"])
    current = authorities.get(CURATOR, "terms", item_id).etag
    authorities.patch(CURATOR, "terms", item_id, {"label": {"fr": "Acier trempé"}}, current)
    db.session.remove()
    assert "Acier trempé".encode() in stored(using)["lido"][1]
    assert stored(hidden) == {}


def test_a_deleted_object_keeps_no_payload(ctx):
    record = new_object(status="public")
    kept = new_object(status="public")
    objects_write.delete(CURATOR, uuid.UUID(record["id"]), etag(record))
    db.session.remove()
    assert stored(record) == {}
    assert set(stored(kept)) == {"oai_dc", "lido"}


def test_payloads_are_written_in_the_transaction_of_the_change(app, ctx):
    """A commit that fails after the payloads were built keeps neither record nor payloads."""
    record = new_object(status="draft", title={"fr": "Casque"})

    def fail(session, entries):
        raise RuntimeError("disk full")

    with hooks_added(app) as hooks:
        hooks.before_commit(fail)  # after the payloads' own hook
        with refused(RuntimeError):
            patch(record, {"status": "public"})
    assert stored(record) == {}
    assert get(record)["status"] == "draft"
    patch(record, {"status": "public"})
    assert set(stored(record)) == {"oai_dc", "lido"}
