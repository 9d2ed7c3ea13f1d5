"""The sets services, called directly as a page or a command would."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import ChangeLogEntry, SetMember, SetVersion
from catalogue.services.accounts import users as accounts
from catalogue.services.errors import (
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Unauthorized,
    ValidationFailed,
)
from catalogue.services.identity import ANONYMOUS, SYSTEM
from catalogue.services.sets import access, read, versions, write
from tests.services.builders import new_object


@pytest.fixture
def people(ctx):
    found = {}
    for role in ("admin", "curator", "researcher"):
        user = accounts.create_user(SYSTEM, f"{role}.sets@museum.example", role)
        found[role] = accounts.identity_of(user)
    db.session.remove()
    return found


def make(identity, title="Sélection", visibility="private"):
    object_set = write.create(
        identity, write.load_input({"title": title, "visibility": visibility})
    )
    set_id = object_set.id
    db.session.remove()
    return set_id


def etag(identity, set_id):
    tag = read.get(identity, set_id).etag
    db.session.remove()
    return tag


def ids(identity, set_id):
    found = [item["id"] for item in read.all_members(identity, set_id)]
    db.session.remove()
    return found


def test_create_needs_a_signed_in_caller_and_publishing_the_curator_role(people):
    with pytest.raises(Unauthorized):
        write.create(ANONYMOUS, {"title": {"fr": "x"}, "visibility": "private"})
    with pytest.raises(Forbidden):
        make(people["researcher"], visibility="public")
    set_id = make(people["curator"], visibility="public")
    assert read.get(ANONYMOUS, set_id).data["visibility"] == "public"


def test_members_order_notes_and_versions(people):
    researcher = people["researcher"]
    a, b, c = (new_object(status="public")["id"] for _ in range(3))
    set_id = make(researcher)
    write.add_members(researcher, set_id, {"objects": [{"id": uuid.UUID(a)}], "note": "vu"})
    db.session.remove()
    write.add_members(researcher, set_id, {"objects": [{"id": uuid.UUID(b)}, {"id": uuid.UUID(c)}]})
    db.session.remove()
    order = [{"id": uuid.UUID(x)} for x in (c, a, b)]
    with pytest.raises(PreconditionRequired):
        write.reorder(researcher, set_id, order, None)
    db.session.rollback()
    write.reorder(researcher, set_id, order, etag(researcher, set_id))
    db.session.remove()
    assert ids(researcher, set_id) == [c, a, b]
    stale = etag(researcher, set_id)
    write.set_note(researcher, set_id, uuid.UUID(b), "au fond", stale)
    db.session.remove()
    with pytest.raises(PreconditionFailed):
        write.remove_member(researcher, set_id, uuid.UUID(a), stale)
    db.session.rollback()
    numbers = db.session.execute(
        sa.select(SetVersion.number).where(SetVersion.set_id == set_id).order_by(SetVersion.number)
    ).scalars()
    assert list(numbers) == [1, 2, 3, 4, 5]
    db.session.remove()
    versions.restore(researcher, set_id, 3, etag(researcher, set_id))
    db.session.remove()
    members = read.all_members(researcher, set_id)
    assert [m["id"] for m in members] == [a, b, c] and members[0]["note"] == "vu"
    assert members[1]["note"] is None


def test_others_may_not_change_and_private_sets_do_not_exist_for_them(people):
    set_id = make(people["researcher"])
    with pytest.raises(NotFound):
        read.get(people["curator"], set_id)
    db.session.remove()
    assert read.get(people["admin"], set_id).data["id"] == str(set_id)
    db.session.remove()
    shared = make(people["researcher"], visibility="shared")
    with pytest.raises(Forbidden):
        write.patch(people["curator"], shared, {"title": "x"}, "*")
    db.session.rollback()
    with pytest.raises(ValidationFailed):
        write.patch(people["researcher"], shared, {"title": None}, "*")


def test_published_membership_is_logged_on_the_objects(people):
    curator = people["curator"]
    public = new_object(status="public")
    set_id = make(curator, visibility="public")
    write.add_members(curator, set_id, {"objects": [{"id": uuid.UUID(public["id"])}]})
    db.session.remove()
    write.delete(curator, set_id, etag(curator, set_id))
    db.session.remove()
    entries = db.session.execute(
        sa.select(ChangeLogEntry.set_change, ChangeLogEntry.object_id)
        .where(ChangeLogEntry.set_id == set_id)
        .order_by(ChangeLogEntry.seq)
    ).all()
    assert [(change, str(o)) for change, o in entries] == [
        ("added", public["id"]),
        ("removed", public["id"]),
    ]
    assert db.session.execute(sa.select(sa.func.count()).select_from(SetMember)).scalar() == 0
    # The versions outlive the set, as object versions do.
    assert (
        db.session.execute(sa.select(sa.func.count()).where(SetVersion.set_id == set_id)).scalar()
        == 2
    )


def test_deleting_an_object_takes_it_out_of_every_set(people, ctx):
    from catalogue.services.objects import read as objects_read
    from catalogue.services.objects import write as objects_write

    curator = people["curator"]
    record = new_object(status="public")
    set_id = make(curator)
    write.add_members(curator, set_id, {"objects": [{"id": uuid.UUID(record["id"])}]})
    db.session.remove()
    tag = objects_read.get(curator, uuid.UUID(record["id"])).etag
    objects_write.delete(curator, uuid.UUID(record["id"]), tag)
    db.session.remove()
    assert access.member_counts(curator, [set_id]) == {set_id: 0}
    assert read.get(curator, set_id).data["member_count"] == 0
