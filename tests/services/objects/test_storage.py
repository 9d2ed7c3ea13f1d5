"""Records are stored compact (compressed, each text once) and answered exactly as before."""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ObjectVersion
from catalogue.models import dictionaries as packed_dictionaries
from catalogue.models.packed import pack, unpack
from catalogue.services.search import sync as search_sync
from tests.migrations.test_migrations import differences, fresh_app  # noqa: F401
from tests.services.objects import answers


def _answers(app, tmp_path) -> dict[str, dict]:
    with app.app_context():
        search_sync.engine(app).store.clear()  # what earlier tests indexed is not these records
        headers = answers.build(tmp_path)
        db.session.remove()
    with app.test_client() as client:
        return answers.collect(client, headers)


def _mismatches(found: dict, expected: dict, exact: bool = True) -> list[str]:
    """Keys whose answers differ: in their bytes, or (``exact`` false) in their data."""

    def kept(entry):
        if exact or entry is None or "data_sha256" not in entry:
            return entry
        return {k: v for k, v in entry.items() if k not in ("sha256", "length")}

    keys = sorted(set(found) | set(expected))
    return [key for key in keys if kept(found.get(key)) != kept(expected.get(key))]


def test_every_channel_answers_as_before_the_storage_was_compacted(app, backend, tmp_path):
    """Objects by id and number, lists, exports, search, versions and OAI-PMH give, for the
    demo collection and long bilingual records, the recorded answers (first recorded before
    the storage was compacted; see ``answers``): the same bytes, so the same entity tags,
    with the same headers.

    On PostgreSQL, records written before kept some members in the order JSONB gave them (a
    record re-rendered after being read back); records written now keep the order they were
    written in, as on SQLite: the same members and values, and every XML answer the same
    bytes. Search hits highlight the languages of a text in that order too, so their
    fragments may differ there. (Records stored before the upgrade keep their bytes on both
    databases: see the migration test.)"""
    expected = json.loads(answers.RECORDED.read_text(encoding="utf-8"))[backend]
    found = _answers(app, tmp_path)
    assert len(found) == len(expected) > 600
    if backend == "postgresql":
        expected = {k: v for k, v in expected.items() if " search " not in k}
        found = {k: v for k, v in found.items() if " search " not in k}
    assert _mismatches(found, expected, exact=backend == "sqlite") == []
    xml = [key for key, entry in expected.items() if "xml" in (entry["type"] or "")]
    assert (
        len(xml) > 100
        and _mismatches({k: found[k] for k in xml}, {k: expected[k] for k in xml}) == []
    )


def test_long_records_are_stored_in_a_few_kilobytes(app, tmp_path):
    """A record with 110 words of French and 110 of English is stored once compressed in its
    row, its version and its OAI-PMH payloads; its research view is not stored apart when it
    is the public one."""
    with app.app_context():
        answers.build(tmp_path)
        objects = sa.table(
            "objects",
            sa.column("object_number"),
            sa.column("document", sa.LargeBinary()),
            sa.column("public_json", sa.LargeBinary()),
            sa.column("research_json", sa.LargeBinary()),
            sa.column("description", sa.LargeBinary()),
        )
        row = db.session.execute(
            sa.select(objects).where(objects.c.object_number == "2050.000")
        ).one()
        obj = db.session.execute(
            sa.select(CatalogueObject).where(CatalogueObject.object_number == "2050.000")
        ).scalar_one()
        text = obj.staff_json.encode()
        assert len(obj.document["description"]["fr"]) > 600
        assert row.research_json is None and obj.research_json == obj.public_json
        stored = len(row.document) + len(row.public_json) + len(row.description)
        assert stored < len(text) * 0.8  # the four copies of before took four times the text
        versions = db.session.execute(
            sa.select(sa.column("record", sa.LargeBinary()))
            .select_from(sa.table("object_versions"))
            .where(sa.column("object_id", sa.Uuid()) == obj.id)
        ).scalars()
        assert all(len(record) < len(text) / 2 for record in versions)
        payloads = db.session.execute(
            sa.select(sa.column("payload", sa.LargeBinary()))
            .select_from(sa.table("oai_payloads"))
            .where(sa.column("object_id", sa.Uuid()) == obj.id)
        ).scalars()
        assert all(b"<lido" not in payload and b"<oai_dc" not in payload for payload in payloads)
        # A public record linked to an internal one keeps a research view of its own.
        linked = db.session.execute(
            sa.select(objects.c.research_json).where(objects.c.object_number == "2050.004")
        ).scalar_one()
        assert linked is not None and b"2050.002" in unpack(linked)
        db.session.remove()


def test_versions_are_shown_by_the_status_they_had(app, client, users):
    """Who may read a version depends on the record's status in it, now a column of its own."""
    curator, researcher = users["curator"].headers, users["researcher"].headers
    body = {"object_number": "2060.001", "title": {"fr": "Brouillon"}, "status": "draft"}
    created = client.post("/api/v1/objects", json=body, headers=curator)
    assert created.status_code == 201
    record = created.get_json()
    changes = {"status": "internal"}
    headers = {**curator, "If-Match": created.headers["ETag"]}
    assert (
        client.patch(f"/api/v1/objects/{record['id']}", json=changes, headers=headers).status_code
        == 200
    )
    seen = client.get(f"/api/v1/objects/{record['id']}/versions", headers=researcher)
    assert [v["number"] for v in seen.get_json()["items"]] == [2]
    with app.app_context():
        statuses = db.session.execute(
            sa.select(ObjectVersion.number, ObjectVersion.status).order_by(ObjectVersion.number)
        ).all()
        assert [(n, str(s)) for n, s in statuses] == [(1, "draft"), (2, "internal")]
        db.session.remove()


def test_upgrade_and_downgrade_convert_stored_records_and_lose_nothing(fresh_app, tmp_path):  # noqa: F811
    """Down to the previous revision every record is back in its old form (document, three
    views, version records and payloads in full); up again, every answer is the same."""
    with fresh_app.app_context():
        upgrade()
        headers = answers.build(tmp_path)
        db.session.remove()
    with fresh_app.test_client() as client:
        before = answers.collect(client, headers)
    with fresh_app.app_context():
        downgrade(revision="0015")
        rows = db.session.execute(
            sa.text("SELECT document, public_json, research_json, staff_json FROM objects")
        ).all()
        assert len(rows) > 30
        for document, public, research, staff in rows:
            document = json.loads(document) if isinstance(document, str) else document
            assert json.loads(staff) == document
            assert json.loads(public)["id"] == json.loads(research)["id"] == document["id"]
        payload = db.session.execute(sa.text("SELECT payload FROM oai_payloads")).scalars().first()
        assert bytes(payload).startswith((b"<lido:lido", b"<oai_dc:dc"))
        version = (
            db.session.execute(sa.text("SELECT record FROM object_versions")).scalars().first()
        )
        assert "object_number" in (json.loads(version) if isinstance(version, str) else version)
        db.session.remove()
        upgrade()
        assert differences() == []
        db.session.remove()
    with fresh_app.test_client() as client:
        after = answers.collect(client, headers)
    if fresh_app.config["DATABASE_URL"].startswith("postgresql"):
        # Down there, versions are JSONB again, which keeps no order of members: their
        # records come back with the same data, in the order JSONB gave them before.
        versions = [key for key in before if key.startswith("version 1 ")]
        old = {k: before.pop(k) for k in versions}
        assert _mismatches({k: after.pop(k) for k in versions}, old, exact=False) == []
    assert _mismatches(after, before) == []


def test_stored_values_stay_readable_by_later_versions():
    """A value names the dictionary it was packed with, and dictionaries never change: a value
    stored today is read by every later version of the catalogue."""
    digests = {
        "JSON_1": "b4731fd2014e1021d04ff4f3099a5d0cd5c24afa61b6515781061e57d200045e",
        "XML_2": "03f1a0a89e4e924900a0cd6bbe8dba434d74b7e55ddb25670d21842f28ee6e19",
    }
    for name, digest in digests.items():
        assert hashlib.sha256(getattr(packed_dictionaries, name)).hexdigest() == digest
    text = '{"title":{"fr":"Fusée A4 « V2 »","en":"A4 (V2) rocket"},"status":"public"}'.encode()
    packed = pack(text, 1)
    assert packed[0] == 1 and len(packed) < len(text) and unpack(packed) == text
    assert unpack(pack(b"{}", 1)) == b"{}"  # too short to gain: kept as it is
    assert pack(b"{}", 1)[0] == 0


def test_a_backup_made_before_the_compaction_restores_and_answers_the_same(app, tmp_path):
    """A backup holds the record's views as text (a staff view included) whatever the storage;
    one made before (every view in full, versions without their status) restores into the
    compact form and every channel answers the same bytes again."""
    from catalogue.services.accounts import users as accounts
    from catalogue.services.backup import database as backup
    from tests.services.backup.test_backup import rewrite_table, wipe

    with app.app_context():
        search_sync.engine(app).store.clear()
        headers = answers.build(tmp_path)
        db.session.remove()
    with app.test_client() as client:
        before = answers.collect(client, headers)
    with app.app_context():
        backup.backup(answers.SYSTEM, tmp_path / "backup")
        lines = (tmp_path / "backup" / "tables" / "objects.jsonl").read_text(encoding="utf-8")
        staff = [json.loads(line)["staff_json"] for line in lines.splitlines()]
        assert all(text.startswith('{"id":') for text in staff)

        def as_before(row):
            row["research_json"] = row["research_json"] or row["public_json"]
            return row

        def version_as_before(row):
            del row["status"]
            return row

        rewrite_table(tmp_path / "backup", "objects", as_before)
        rewrite_table(tmp_path / "backup", "object_versions", version_as_before)
        wipe()
        search_sync.engine(app).store.clear()
        backup.restore(answers.SYSTEM, tmp_path / "backup")
        search_sync.reindex()
        for role in ("researcher", "curator"):  # tokens are not backed up: new ones
            token = accounts.create_token(answers.SYSTEM, f"{role}@answers.example")
            headers[role] = {"Authorization": f"Bearer {token}"}
        db.session.commit()
        db.session.remove()
    with app.test_client() as client:
        after = answers.collect(client, headers)
    # A backup writes a version's record with its members sorted (it always has): the same
    # data, members in another order.
    versions = [key for key in before if key.startswith("version 1 ")]
    old = {k: before.pop(k) for k in versions}
    assert _mismatches({k: after.pop(k) for k in versions}, old, exact=False) == []
    assert _mismatches(after, before) == []
