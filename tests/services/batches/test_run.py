"""A batch's run stopped half-way (a worker killed) and run again applies each object once."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import ObjectVersion
from catalogue.services.batches import create as batches
from catalogue.services.batches import run as batch_run
from catalogue.services.batches.read import counts
from catalogue.services.identity import Identity
from tests import helpers


class Killed(Exception):
    """The worker stops here, after its first chunk committed."""


class StopAfterFirstChunk:
    def progress(self, data: dict) -> None:
        raise Killed(data)


def test_a_run_taken_up_again_applies_only_what_is_left(app, client, curator, monkeypatch):
    records = [helpers.obj(client, curator) for _ in range(3)]
    monkeypatch.setattr(batch_run, "CHUNK", 1)
    with app.app_context():
        staff = Identity(email=curator.email, role="curator")
        body = {
            "targets": {"ids": [uuid.UUID(r["id"]) for r in records]},
            "operation": {"op": "set", "field": "internal_notes", "value": "inventorié"},
        }
        batch_id = batches.create(staff, body)
        batches.run(staff, batch_id)
        with pytest.raises(Killed):
            batch_run.run(StopAfterFirstChunk(), str(batch_id), curator.email, "curator")
        db.session.rollback()
        assert counts(batch_id)["changed"] == 1
        result = batch_run.run(None, str(batch_id), curator.email, "curator")
        assert result["batch_status"] == "done"
        assert counts(batch_id) == {**counts(batch_id), "done": 3, "changed": 3}
        written = db.session.execute(
            sa.select(ObjectVersion.object_id, sa.func.count())
            .where(ObjectVersion.batch_id == batch_id)
            .group_by(ObjectVersion.object_id)
        ).all()
        assert sorted(n for _, n in written) == [1, 1, 1]
        db.session.remove()
