"""Every transition of every kind, called as a request would call the services."""

from __future__ import annotations

import uuid

import pytest

from catalogue.extensions import db
from catalogue.services.errors import Conflict, NotFound, PreconditionRequired
from catalogue.services.procedures import records, transitions
from tests.services.builders import CALLERS, CURATOR, new_authority, new_object

# kind, body, the path of statuses, and what each status allows then.
PATHS = {
    "entry": ({"reason": "enquiry"}, ["open", "closed"]),
    "acquisition": ({"method": "gift"}, ["proposed", "approved", "accessioned"]),
    "audit": (None, ["open", "completed"]),
    "exit": ({"reason": "loss"}, ["proposed", "approved", "completed"]),
}
ALLOWED = {
    ("entry", "open"): ["closed"],
    ("entry", "closed"): [],
    ("acquisition", "proposed"): ["approved", "rejected"],
    ("acquisition", "approved"): ["accessioned", "rejected"],
    ("acquisition", "accessioned"): [],
    ("audit", "open"): ["completed"],
    ("audit", "completed"): [],
    ("exit", "proposed"): ["approved", "completed", "cancelled"],
    ("exit", "approved"): ["completed", "cancelled"],
    ("exit", "completed"): [],
}


def _create(kind: str, body: dict | None) -> dict:
    if body is None:
        store = new_authority("locations", label={"fr": "Réserve"}, kind="room")
        body = {"locations": [{"id": store["id"]}]}
    obj = new_object()
    if kind in ("acquisition", "exit"):
        body = {**body, "objects": [{"id": obj["id"]}]}
    data = records.load_input(records.kind_of(kind), body)
    record = records.create(CURATOR, kind, data).data
    db.session.remove()
    return record


def _to(kind: str, record: dict, target: str) -> dict:
    etag = records.get(CURATOR, kind, uuid.UUID(record["id"])).etag
    db.session.remove()
    try:
        return transitions.transition(
            CURATOR, kind, uuid.UUID(record["id"]), {"to": target}, etag
        ).data
    finally:
        db.session.remove()


@pytest.mark.parametrize("kind", PATHS)
def test_each_status_allows_exactly_its_transitions(ctx, kind):
    body, path = PATHS[kind]
    record = _create(kind, body)
    for position, status in enumerate(path):
        assert record["status"] == status
        every = {s for (k, _), targets in ALLOWED.items() if k == kind for s in targets}
        for target in sorted(every - set(ALLOWED[(kind, status)])):
            with pytest.raises(Conflict) as refused:
                _to(kind, record, target)
            assert refused.value.extra["allowed"] == ALLOWED[(kind, status)]
        if position + 1 < len(path):
            record = _to(kind, record, path[position + 1])
            step = record["transitions"][-1]
            assert (step["from"], step["to"], step["by"]) == (
                status,
                path[position + 1],
                CURATOR.email,
            )


@pytest.mark.parametrize(
    ("kind", "body", "target"),
    [
        ("acquisition", {"method": "gift"}, "rejected"),
        ("exit", {"reason": "loss"}, "cancelled"),
    ],
)
def test_the_other_ends(ctx, kind, body, target):
    record = _to(kind, _create(kind, body), target)
    assert record["status"] == target
    with pytest.raises(Conflict) as refused:
        _to(kind, record, "approved")
    assert refused.value.extra["allowed"] == []


def test_a_transition_without_if_match_changes_nothing(ctx):
    record = _create("entry", {"reason": "enquiry"})
    with pytest.raises(PreconditionRequired):
        transitions.transition(CURATOR, "entry", uuid.UUID(record["id"]), {"to": "closed"}, None)
    db.session.remove()
    assert records.get(CURATOR, "entry", uuid.UUID(record["id"])).data["status"] == "open"


@pytest.mark.parametrize("role", ["anonymous", "researcher"])
def test_procedures_do_not_exist_for_others(ctx, role):
    record = _create("entry", {"reason": "enquiry"})
    with pytest.raises(NotFound):
        records.get(CALLERS[role], "entry", uuid.UUID(record["id"]))
    with pytest.raises(NotFound):
        records.list_procedures(CALLERS[role], "entry", {})


def test_numbers_follow_the_museum_s_patterns(app, ctx):
    saved = dict(app.config)
    app.config["EXIT_NUMBER_PATTERN"] = "SORTIE-{year}-{seq:05d}"
    try:
        record = _create("exit", {"reason": "loss"})
    finally:
        app.config.update(saved)
    assert record["number"].startswith("SORTIE-") and record["number"].endswith("-00001")
