"""Requests the OpenAPI fuzz (test_fuzz_openapi.py) once answered with a server error."""

from __future__ import annotations

import pytest

from tests import helpers

# Valid ISO 8601, but outside the years Python can hold once moved to UTC.
EDGES = ["0001-01-01T00:03:00+04:00", "9999-12-31T23:59:00-04:00"]


@pytest.mark.parametrize("when", EDGES)
@pytest.mark.parametrize("path", ["/api/v1/objects", "/api/v1/exports/objects.csv"])
def test_an_updated_since_out_of_range_is_422(client, path, when):
    response = client.get(path, query_string={"updated_since": when})
    assert "updated_since" in helpers.is_problem(response, 422)["errors"]


@pytest.mark.parametrize("when", EDGES)
def test_movement_and_check_times_out_of_range_are_422(client, curator, state, when):
    record = helpers.obj(client, curator)
    room = helpers.location(client, curator, "Salle 1")
    before = state()
    moved = helpers.move(client, curator, record, room, moved_at=when)
    assert "moved_at" in helpers.is_problem(moved, 422)["errors"]
    checked = client.post(
        f"/api/v1/objects/{record['id']}/condition-checks",
        json={"condition": "good", "checked_at": when},
        headers=curator.headers,
    )
    assert "checked_at" in helpers.is_problem(checked, 422)["errors"]
    assert state() == before
