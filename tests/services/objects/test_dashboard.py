"""The workspace dashboard counts the objects of each status the caller may see."""

from __future__ import annotations

import uuid

import pytest

from catalogue.extensions import db
from catalogue.services.errors import Unauthorized
from catalogue.services.identity import ANONYMOUS
from catalogue.services.objects import dashboard
from catalogue.services.objects import write as objects_write
from tests.services.builders import CALLERS, CURATOR, etag, new_object, refused


@pytest.fixture
def catalogue(ctx):
    made = [
        new_object(status="public", title={"fr": "Casque Adrian"}),
        new_object(status="public", title={"fr": "Masque à gaz"}),
        new_object(status="internal", title={"fr": "Casque allemand"}),
        new_object(status="draft", title={"fr": "Casque en acier"}),
    ]
    gone = new_object(status="public", title={"fr": "Casque détruit"})
    objects_write.delete(CURATOR, uuid.UUID(gone["id"]), etag(gone))
    db.session.remove()
    return made


@pytest.mark.parametrize(
    ("role", "counts"),
    [
        ("researcher", {"public": 2, "internal": 1}),
        ("curator", {"public": 2, "internal": 1, "draft": 1}),
        ("admin", {"public": 2, "internal": 1, "draft": 1}),
    ],
)
def test_counts_by_status_are_of_what_the_caller_may_see(catalogue, role, counts):
    assert dashboard.counts_by_status(CALLERS[role]) == counts


def test_every_status_is_counted_even_when_empty(ctx):
    assert dashboard.counts_by_status(CURATOR) == {"public": 0, "internal": 0, "draft": 0}
    with refused(Unauthorized):
        dashboard.counts_by_status(ANONYMOUS)
