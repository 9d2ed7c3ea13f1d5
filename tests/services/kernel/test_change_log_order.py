"""The change log never lets a reader skip an entry, even when writers overlap."""

from __future__ import annotations

import threading
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from catalogue.extensions import db
from catalogue.models import ChangeEvent, ChangeLogEntry, Status
from catalogue.models.base import utcnow
from catalogue.services.feeds import changes
from catalogue.services.identity import SYSTEM


def _entry(number: str) -> ChangeLogEntry:
    return ChangeLogEntry(
        object_id=uuid.uuid4(),
        object_number=number,
        event=ChangeEvent.created,
        status_before=None,
        status_after=Status.public,
        at=utcnow(),
    )


def _waiting_for_lock(connection) -> bool:
    return bool(
        connection.execute(
            sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        ).scalar_one()
    )


# SQLite runs one writer at a time: overlapping commits exist on PostgreSQL only.
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_reader_between_two_overlapping_commits_never_skips_one(app, backend):
    with app.app_context():
        engine = db.engine
        first, second = Session(engine), Session(engine)
        flushed, release = threading.Event(), threading.Event()

        # Hold the first writer after it has taken its seq, before its commit.
        @event.listens_for(first, "after_flush")
        def _hold(session, _context):
            if any(isinstance(o, ChangeLogEntry) for o in session.new):
                flushed.set()
                assert release.wait(10)

        late_entry = _entry("B")  # stamped first, committed second
        first.info["change_log"] = [_entry("A")]
        second.info["change_log"] = [late_entry]
        writer_a = threading.Thread(target=first.commit)
        writer_a.start()
        assert flushed.wait(10)
        writer_b = threading.Thread(target=second.commit)
        writer_b.start()
        with engine.connect() as watcher:
            while writer_b.is_alive() and not _waiting_for_lock(watcher):
                writer_b.join(0.01)

        seen = [e.object_number for e in changes.read(SYSTEM).items]
        page = changes.read(SYSTEM)
        db.session.remove()
        assert seen in ([], ["A"]), "B became visible before A, which a reader would skip"

        release.set()
        writer_a.join(10)
        writer_b.join(10)
        rest = [e.object_number for e in changes.read(SYSTEM, page.cursor).items]
        assert seen + rest == ["A", "B"]
        stamps = db.session.execute(
            sa.select(ChangeLogEntry.at).order_by(ChangeLogEntry.seq)
        ).scalars()
        first_at, second_at = list(stamps)
        assert first_at <= second_at, "times go back along the log"
        first.close()
        second.close()
