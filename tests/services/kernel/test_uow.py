"""The unit of work: follow-up work runs at its hook point, once, and only for what commits."""

from __future__ import annotations

import logging
import uuid

import pytest
import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ChangeEvent, ChangeLogEntry
from catalogue.services import uow
from catalogue.services.authorities import records as authorities
from catalogue.services.objects import read
from catalogue.services.objects import write as objects_write
from tests.services.builders import (
    CURATOR,
    get,
    hooks_added,
    new_authority,
    new_object,
    patch,
    refused,
)


@pytest.fixture
def hooks(app, ctx):
    with hooks_added(app) as points:
        yield points


def logged_numbers() -> list[str]:
    numbers = db.session.execute(
        sa.select(ChangeLogEntry.object_number).order_by(ChangeLogEntry.seq)
    ).scalars()
    found = list(numbers)
    db.session.remove()
    return found


def test_an_on_change_hook_sees_each_entry_as_it_is_logged(hooks):
    rocket = new_object(status="public", title={"fr": "Fusée"})
    part = new_object(related_objects=[{"id": rocket["id"], "relation": "part_of"}])
    seen = []
    # In the transaction, before the commit gives the entry its place in the log.
    hooks.on_change(lambda entry: seen.append((entry.object_number, str(entry.event), entry.seq)))
    patch(rocket, {"object_number": "1944.0001.001"})
    assert seen == [("1944.0001.001", "updated", None), (part["object_number"], "updated", None)]


def test_a_failing_on_change_hook_stops_the_change(hooks):
    record = new_object(title={"fr": "Casque"})

    def refuse(entry):
        raise RuntimeError("no")

    hooks.on_change(refuse)
    with refused(RuntimeError):
        patch(record, {"title": {"fr": "Casque Adrian"}})
    assert get(record) == record
    assert logged_numbers() == [record["object_number"]]


def test_a_before_commit_hook_sees_every_entry_of_the_unit_once(hooks):
    rocket = new_object(status="public", title={"fr": "Fusée"})
    part = new_object(related_objects=[{"id": rocket["id"], "relation": "part_of"}])
    calls = []

    def before(session, entries):
        # In the transaction: the entries are written, the change not yet committed.
        calls.append([(e.object_number, e.seq is not None) for e in entries])
        assert session.in_transaction()

    hooks.before_commit(before)
    patch(rocket, {"title": {"fr": "Fusée A4"}})
    assert calls == [[(rocket["object_number"], True), (part["object_number"], True)]]
    # A unit that logs no change (an authority saved) calls it not at all.
    new_authority("places", label={"fr": "Wizernes"})
    assert len(calls) == 1


def test_after_commit_hooks_run_once_the_change_is_durable(hooks):
    seen = []

    def after():
        # Another connection (the one reads use) sees the change already.
        found = read.list_objects(CURATOR, {})
        seen.append([item.data["title"]["fr"] for item in found.items])

    hooks.after_commit(after)
    new_object(title={"fr": "Casque"})
    assert seen == [["Casque"]]
    new_authority("places", label={"fr": "Wizernes"})  # logs no change: no call
    assert len(seen) == 1


def test_nothing_of_a_rolled_back_unit_follows_it(hooks):
    record = new_object(title={"fr": "Casque"})
    calls = []
    hooks.after_commit(lambda: calls.append("hook"))
    # A unit loads an object, logs its change and asks for work after its commit, then fails.
    obj = db.session.get(CatalogueObject, uuid.UUID(record["id"]))
    obj.internal_notes = "jamais"
    uow.log_change(
        ChangeLogEntry(
            object_id=obj.id,
            object_number=obj.object_number,
            event=ChangeEvent.updated,
            status_before=obj.status,
            status_after=obj.status,
        )
    )
    uow.after_commit(lambda: calls.append("callback"))
    db.session.rollback()
    uow.commit()  # the next unit of the same session commits nothing of the failed one
    db.session.remove()
    assert calls == []
    assert logged_numbers() == [record["object_number"]]
    assert get(record)["internal_notes"] is None


def test_a_one_off_callback_runs_once_after_its_commit(hooks):
    calls = []
    uow.after_commit(lambda: calls.append("once"))
    assert calls == []
    uow.commit()
    uow.commit()
    assert calls == ["once"]


def test_a_failing_after_commit_hook_is_logged_and_the_rest_still_run(hooks, caplog):
    calls = []

    def broken():
        raise RuntimeError("index unreachable")

    hooks.after_commit(broken)
    hooks.after_commit(lambda: calls.append("next"))
    with caplog.at_level(logging.ERROR, logger="catalogue.services.uow"):
        record = new_object(title={"fr": "Casque"})
    assert calls == ["next"]
    assert any(
        "after-commit task" in r.getMessage() and "index unreachable" in (r.exc_text or "")
        for r in caplog.records
    )
    # The data is committed all the same.
    assert get(record)["title"] == {"fr": "Casque"}


def test_held_listeners_run_once_when_the_block_ends(hooks):
    """For bulk work committed in batches: the hooks catch up once, at the end."""
    calls = []
    hooks.after_commit(lambda: calls.append("hook"))
    with uow.listeners_held():
        for number in ("2026.0800.001", "2026.0800.002"):
            data = objects_write.load_input({"object_number": number, "title": {"fr": "x"}})
            objects_write.create(CURATOR, data)
        assert calls == []
    assert calls == ["hook"]
    with uow.listeners_held():
        authorities.create(CURATOR, "places", {"label": {"fr": "Wizernes"}})
    assert calls == ["hook"]


def test_a_rollback_before_any_query_drops_the_queued_work(hooks):
    ran = []
    db.session.remove()
    uow.after_commit(lambda: ran.append("callback"))
    db.session.rollback()  # no database transaction was open yet
    uow.commit()
    assert ran == []
