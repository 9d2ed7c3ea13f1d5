"""Backup and restore give back the same catalogue, on the same or another database."""

from __future__ import annotations

import hashlib
import json

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from catalogue import create_app, demo
from catalogue.extensions import db
from catalogue.models import CatalogueObject, Condition, OaiPayload
from catalogue.services.accounts import users as accounts
from catalogue.services.authorities import records as authorities
from catalogue.services.backup import database as backup
from catalogue.services.errors import Conflict, ValidationFailed
from catalogue.services.etag import ANY
from catalogue.services.identity import SYSTEM
from catalogue.services.oai import payloads as oai_payloads
from catalogue.services.objects import locations
from catalogue.services.objects import write as objects_write
from tests.conftest import empty_tables
from tests.services.exchange.exchange_helpers import CURATOR


def fill() -> None:
    """The demo collection, plus an edit (a second version), a deletion and a user."""
    demo.load()
    numbers = db.session.execute(
        sa.select(CatalogueObject.id).order_by(CatalogueObject.object_number)
    ).scalars()
    first, second = list(numbers)[:2]
    objects_write.patch(CURATOR, first, {"internal_notes": "Revu en 2026."}, ANY)
    locations.record_condition_check(
        CURATOR, first, {"condition": Condition.fair, "notes": "Rouille"}
    )
    objects_write.delete(CURATOR, second, ANY)
    accounts.create_user(SYSTEM, "registrar@museum.example", "curator", "a long password 123")
    db.session.remove()


def small_fill() -> None:
    objects_write.create(
        CURATOR, objects_write.load_input({"object_number": "2026.0001.001", "title": "Objet"})
    )
    db.session.remove()


def snapshot() -> dict[str, list]:
    """Every backed-up table's rows, as typed values, in primary-key order."""
    tables = {}
    for table in backup.tables():
        columns = [c for c in backup._columns(table)]
        keys = [c.name for c in table.primary_key.columns]
        rows = [dict(r._mapping) for r in db.session.execute(sa.select(*columns))]
        tables[table.name] = sorted(rows, key=lambda r: tuple(str(r[k]) for k in keys))
    db.session.remove()
    return tables


def wipe() -> None:
    db.session.remove()
    empty_tables(db.engine)


def test_round_trip_on_the_same_database(ctx, tmp_path):
    fill()
    before = snapshot()
    manifest = backup.backup(SYSTEM, tmp_path / "backup")
    assert manifest["format_version"] == 1
    rows = {t["name"]: t["rows"] for t in manifest["tables"]}
    # The demo: 38 catalogued objects and the 3 photographs of a family's deposit.
    assert rows["objects"] == 41 and rows["procedures"] == 3
    users = (tmp_path / "backup" / "tables" / "users.jsonl").read_text()
    assert "password" not in users and "registrar@museum.example" in users
    assert not (tmp_path / "backup" / "tables" / "api_tokens.jsonl").exists()
    wipe()
    backup.restore(SYSTEM, tmp_path / "backup")
    assert snapshot() == before
    # Ids handed out after a restore follow the restored ones (PostgreSQL sequences).
    some = db.session.execute(sa.select(CatalogueObject.id).limit(1)).scalar_one()
    record = objects_write.patch(CURATOR, some, {"internal_notes": "Après restauration"}, ANY)
    assert record.data["internal_notes"] == "Après restauration"


def payloads() -> dict:
    rows = db.session.execute(
        sa.select(
            OaiPayload.object_id, OaiPayload.prefix, OaiPayload.payload, CatalogueObject.public_json
        ).join(CatalogueObject, CatalogueObject.id == OaiPayload.object_id)
    )
    # Stored compressed (``unpack`` reads both versions of the format).
    found = {(r.object_id, r.prefix): oai_payloads.unpack(r.payload, r.public_json) for r in rows}
    db.session.remove()
    return found


def test_restore_builds_the_oai_payloads_the_saves_had_stored(ctx, tmp_path):
    fill()
    before = payloads()
    assert (
        len(before)
        == 2
        * db.session.execute(
            sa.select(sa.func.count()).where(CatalogueObject.status == "public")
        ).scalar_one()
    )
    manifest = backup.backup(SYSTEM, tmp_path / "backup")
    assert "oai_payloads" not in {t["name"] for t in manifest["tables"]}
    # A backup written before payloads were left out still restores (its copy is unused).
    stale = '{"object_id": "00000000-0000-0000-0000-000000000000", "prefix": "lido"}\n'
    (tmp_path / "backup" / "tables" / "oai_payloads.jsonl").write_text(stale)
    manifest["tables"].append(
        {
            "name": "oai_payloads",
            "file": "tables/oai_payloads.jsonl",
            "rows": 1,
            "sha256": hashlib.sha256(stale.encode()).hexdigest(),
        }
    )
    (tmp_path / "backup" / "manifest.json").write_text(json.dumps(manifest))
    wipe()
    backup.restore(SYSTEM, tmp_path / "backup")
    assert payloads() == before


def test_restore_derives_what_authority_lists_search_and_sort_by(app, ctx, tmp_path):
    for label in ({"fr": "Acier", "en": "Steel"}, {"fr": "Laiton", "en": "Brass"}):
        authorities.create(CURATOR, "terms", {"vocabulary": "material", "label": label})
        db.session.remove()
    backup.backup(SYSTEM, tmp_path / "backup")
    # Derived from the labels, as the OAI-PMH payloads are from the records: not in the backup.
    terms = (tmp_path / "backup" / "tables" / "terms.jsonl").read_text(encoding="utf-8")
    assert "search_text" not in terms and "sort_key" not in terms
    wipe()
    # Restored into a catalogue whose default language is English: sorted by the English labels.
    app.config["DEFAULT_LANGUAGE"] = "en"
    try:
        backup.restore(SYSTEM, tmp_path / "backup")
    finally:
        app.config["DEFAULT_LANGUAGE"] = "fr"
    listed = authorities.list_items(CURATOR, "terms", {}).items
    assert [item["label"]["fr"] for item in listed] == ["Laiton", "Acier"]
    found = authorities.list_items(CURATOR, "terms", {"q": "LAITON"}).items
    assert [item["label"]["en"] for item in found] == ["Brass"]


def test_restore_refuses_a_catalogue_with_data(ctx, tmp_path):
    small_fill()
    backup.backup(SYSTEM, tmp_path / "backup")
    with pytest.raises(Conflict):
        backup.restore(SYSTEM, tmp_path / "backup")
    with pytest.raises(Conflict):
        backup.backup(SYSTEM, tmp_path / "backup")  # not into a folder with a backup in it


def test_requests_counted_by_the_rate_limits_do_not_stop_a_restore(ctx, tmp_path):
    """An installation whose API has been called (counted) but holds nothing is empty."""
    from catalogue.models import RequestCount

    small_fill()
    backup.backup(SYSTEM, tmp_path / "backup")
    wipe()
    counted = RequestCount(key="LIMITER/anonymous/192.0.2.1/600/1/minute", hits=3, expires_at=9e9)
    db.session.add(counted)
    db.session.commit()
    backup.restore(SYSTEM, tmp_path / "backup")
    assert db.session.execute(sa.select(CatalogueObject.object_number)).scalars().all() == [
        "2026.0001.001"
    ]
    assert not (tmp_path / "backup" / "tables" / "request_counts.jsonl").exists()


def test_damaged_backup_is_refused_before_anything_is_written(ctx, tmp_path):
    small_fill()
    backup.backup(SYSTEM, tmp_path / "backup")
    wipe()
    objects = tmp_path / "backup" / "tables" / "objects.jsonl"
    lines = objects.read_text(encoding="utf-8").splitlines(keepends=True)
    record = json.loads(lines[0])
    record["object_number"] = "9999.9999.999"
    objects.write_text(json.dumps(record) + "\n" + "".join(lines[1:]), encoding="utf-8")
    with pytest.raises(ValidationFailed) as damaged:
        backup.restore(SYSTEM, tmp_path / "backup")
    assert "tables/objects.jsonl" in damaged.value.errors
    assert snapshot()["objects"] == []


def _app(url: str, folder):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": url,
            "MEDIA_STORAGE": (folder / "media").as_uri(),
            "SEARCH_INDEX_DIR": str(folder / "index"),
            "IMPORTS_DIR": str(folder / "imports"),
        }
    )


def test_sqlite_to_postgresql_and_back(tmp_path, other_postgres):
    sqlite_app = _app(f"sqlite:///{tmp_path / 'source.db'}", tmp_path / "a")
    with sqlite_app.app_context():
        upgrade()
        fill()
        original = snapshot()
        backup.backup(SYSTEM, tmp_path / "from-sqlite")
        db.session.remove()
        db.engine.dispose()
    postgres_app = _app(other_postgres, tmp_path / "b")
    with postgres_app.app_context():
        upgrade()
        backup.restore(SYSTEM, tmp_path / "from-sqlite")
        restored = snapshot()
        backup.backup(SYSTEM, tmp_path / "from-postgresql")
        # The restored catalogue works: a new object gets new version and change-log ids.
        created = objects_write.create(
            CURATOR, objects_write.load_input({"object_number": "2026.0002.001", "title": "x"})
        )
        assert created.data["version"] == 1
        db.session.remove()
        db.engine.dispose()
    assert restored == original
    back_app = _app(f"sqlite:///{tmp_path / 'again.db'}", tmp_path / "c")
    with back_app.app_context():
        upgrade()
        backup.restore(SYSTEM, tmp_path / "from-postgresql")
        assert snapshot() == restored
        db.session.remove()
        db.engine.dispose()


def rewrite_table(folder, name: str, change) -> None:
    """Edit the rows of one table file of a backup, keeping its manifest true."""
    path = folder / "tables" / f"{name}.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    text = "".join(json.dumps(change(r), ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
    path.write_text(text, encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in manifest["tables"]:
        if entry["name"] == name:
            entry["sha256"] = hashlib.sha256(text.encode()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_text_saved_before_the_rule_is_restored_with_replacement_characters(app, tmp_path):
    """A backup of a catalogue that accepted such text restores whole (PostgreSQL refused a
    NUL), each refused character replaced with U+FFFD, and restore says where."""
    with app.app_context():
        objects_write.create(
            CURATOR,
            objects_write.load_input(
                {"object_number": "2026.0001.001", "title": {"fr": "Objet"}, "status": "public"}
            ),
        )
        accounts.create_user(SYSTEM, "anne@museum.example", "curator", name="Anne")
        backup.backup(SYSTEM, tmp_path / "backup")
        wipe()
    legacy = {"fr": "Objet\x00\uffff"}

    def legacy_object(row):
        row["title"] = row["document"]["title"] = legacy
        # The research view is kept only where it differs from the public one (here not).
        assert row["research_json"] is None
        for view in ("public_json", "staff_json"):
            data = {**json.loads(row[view]), "title": legacy}
            row[view] = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return row

    def legacy_user(row):
        return {**row, "name": "Anne\x00Dupont"} if row["email"].startswith("anne") else row

    rewrite_table(tmp_path / "backup", "objects", legacy_object)
    rewrite_table(tmp_path / "backup", "users", legacy_user)
    with app.app_context():  # as the catalogue command gives its commands
        result = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    assert "replaced with U+FFFD in 2 row(s)" in result.output
    assert ": document, public_json, staff_json, title" in result.output
    assert "users id=" in result.output and ": name" in result.output
    with app.app_context():
        obj = db.session.execute(sa.select(CatalogueObject)).scalar_one()
        shown = {"fr": "Objet\ufffd\ufffd"}
        assert obj.title == obj.document["title"] == json.loads(obj.public_json)["title"] == shown
        user = accounts.find_user("anne@museum.example")
        assert user.name == "Anne\ufffdDupont"
        assert "Objet\ufffd\ufffd".encode() in b"".join(payloads().values())
