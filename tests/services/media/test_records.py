"""Media records: who reads them, changes with the ETag just read, reordering, deleting."""

from __future__ import annotations

import uuid

import pytest

from catalogue.extensions import db
from catalogue.services.errors import (
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Unauthorized,
    ValidationFailed,
)
from catalogue.services.identity import ANONYMOUS
from catalogue.services.media import records
from catalogue.services.objects import write
from tests.services.builders import (
    CALLERS,
    CURATOR,
    RESEARCHER,
    etag,
    get,
    hooks_added,
    new_object,
    refused,
)
from tests.services.media.media_helpers import keys_of, listed, media, picture, stored, upload


@pytest.fixture
def shown(ctx, store):
    """A public object (the store is a fresh one for the test)."""
    return new_object(status="public")


def change(media_id: str, changes: dict, if_match="current", identity=CURATOR) -> dict:
    tag = media(media_id).etag if if_match == "current" else if_match
    data = records.patch(identity, uuid.UUID(media_id), changes, tag).data
    db.session.remove()
    return data


def move(media_id: str, step: int) -> dict:
    data = records.move(CURATOR, uuid.UUID(media_id), step, media(media_id).etag).data
    db.session.remove()
    return data


def remove(media_id: str) -> None:
    records.delete(CURATOR, uuid.UUID(media_id), media(media_id).etag)
    db.session.remove()


def shown_media(record: dict, identity=CURATOR) -> list[str]:
    """The ids of the media the object's record lists for the caller, in order."""
    return [m["id"] for m in get(record, identity)["media"]]


def test_a_private_media_of_a_public_object_is_for_staff_only(shown, tmp_path):
    front = upload(shown, picture(tmp_path, "front.png"), caption="Face")
    back = upload(shown, picture(tmp_path, "back.png"), public="false", caption="Revers")
    for role, caller in CALLERS.items():
        assert media(front["id"], caller).data["caption"] == {"fr": "Face"}, role
        if caller.is_staff:
            assert media(back["id"], caller).data["public"] is False
            assert shown_media(shown, caller) == [front["id"], back["id"]]
        else:
            with refused(NotFound):
                records.get(caller, uuid.UUID(back["id"]))
            assert shown_media(shown, caller) == [front["id"]], role


@pytest.mark.parametrize("status", ["draft", "internal"])
def test_the_media_of_a_hidden_object_are_hidden_with_it(ctx, store, tmp_path, status):
    record = new_object(status=status)
    item = upload(record, picture(tmp_path, "vue.jpg"))
    for role, caller in CALLERS.items():
        if caller.can_see(status):
            assert media(item["id"], caller).data["object_id"] == record["id"], role
        else:
            with refused(NotFound):
                records.get(caller, uuid.UUID(item["id"]))
    with refused(NotFound):
        records.get(CURATOR, uuid.uuid4())


def test_a_change_needs_the_etag_just_read(shown, tmp_path):
    item = upload(shown, picture(tmp_path, "vue.png"), caption="Vue")
    stale = media(item["id"]).etag
    with refused(PreconditionRequired):
        records.patch(CURATOR, uuid.UUID(item["id"]), {"caption": "Sans ETag"}, None)
    changed = change(item["id"], {"caption": {"fr": "Vue de face", "en": "Front view"}})
    assert changed["caption"] == {"fr": "Vue de face", "en": "Front view"}
    with refused(PreconditionFailed):
        records.patch(CURATOR, uuid.UUID(item["id"]), {"caption": "Trop tard"}, stale)
    assert media(item["id"]).data["caption"] == changed["caption"]
    assert get(shown, ANONYMOUS)["media"][0]["caption"] == changed["caption"]
    # "*" is for callers that write whatever is there; a list of tags may hold the current one.
    assert change(item["id"], {"rights": "CC BY 4.0"}, if_match="*")["rights"] == "CC BY 4.0"
    current = media(item["id"]).etag
    assert change(item["id"], {"rights": None}, if_match=[stale, current])["rights"] is None


@pytest.mark.parametrize(("caller", "error"), [(RESEARCHER, Forbidden), (ANONYMOUS, Unauthorized)])
def test_only_staff_change_reorder_and_delete_media(shown, tmp_path, caller, error):
    item = upload(shown, picture(tmp_path, "vue.png"))
    tag = media(item["id"]).etag
    item_id = uuid.UUID(item["id"])
    with refused(error):
        records.patch(caller, item_id, {"caption": "Non"}, tag)
    with refused(error):
        records.move(caller, item_id, -1, tag)
    with refused(error):
        records.delete(caller, item_id, tag)
    assert media(item["id"]).etag == tag


def test_a_bad_change_changes_nothing(shown, tmp_path):
    item = upload(shown, picture(tmp_path, "vue.png"), caption="Vue")
    before = media(item["id"])
    with refused(ValidationFailed) as caught:
        records.patch(
            CURATOR,
            uuid.UUID(item["id"]),
            {"caption": "Nouvelle", "public": "yes", "position": 1.5, "colour": "red"},
            before.etag,
        )
    assert set(caught.value.errors) == {"public", "position", "colour"}
    assert media(item["id"]).data == before.data


def test_one_primary_media_per_object(shown, tmp_path):
    first = upload(shown, picture(tmp_path, "a.png"))
    second = upload(shown, picture(tmp_path, "b.png"))
    assert (first["primary"], second["primary"]) == (True, False)
    change(second["id"], {"primary": True})
    assert [m["primary"] for m in get(shown)["media"]] == [False, True]


def test_moving_swaps_neighbours_and_numbers_positions_from_one(shown, tmp_path):
    a, b, c = (upload(shown, picture(tmp_path, f"{n}.png"))["id"] for n in "abc")
    assert listed(shown) == [(a, 0), (b, 1), (c, 2)]
    assert move(c, -1)["position"] == 2
    assert listed(shown) == [(a, 1), (c, 2), (b, 3)]
    assert shown_media(shown, ANONYMOUS) == [a, c, b]
    # The ends stay put.
    move(a, -1)
    move(b, +1)
    assert listed(shown) == [(a, 1), (c, 2), (b, 3)]
    move(a, +1)
    assert listed(shown) == [(c, 1), (a, 2), (b, 3)]


def test_a_move_needs_the_etag_just_read(shown, tmp_path):
    a, b = (upload(shown, picture(tmp_path, f"{n}.png"))["id"] for n in "ab")
    stale = media(a).etag
    move(a, +1)
    with refused(PreconditionFailed):
        records.move(CURATOR, uuid.UUID(a), -1, stale)
    with refused(PreconditionRequired):
        records.move(CURATOR, uuid.UUID(a), -1, None)
    assert [item for item, _ in listed(shown)] == [b, a]


def test_deleting_removes_the_row_and_then_its_files(app, shown, store, tmp_path):
    gone = upload(shown, picture(tmp_path, "gone.png"))
    kept = upload(shown, picture(tmp_path, "kept.png"))
    gone_keys, kept_keys = keys_of(gone), keys_of(kept)
    assert len(gone_keys) == 4 and gone_keys | kept_keys == stored(store)
    with refused(PreconditionFailed):
        records.delete(CURATOR, uuid.UUID(gone["id"]), media(kept["id"]).etag)
    assert stored(store) == gone_keys | kept_keys
    present_at_commit = []
    with hooks_added(app) as points:
        points.before_commit(lambda session, entries: present_at_commit.append(stored(store)))
        remove(gone["id"])
    # Until the row's removal is durable the files stay, so a failed commit loses nothing.
    assert present_at_commit == [gone_keys | kept_keys]
    assert stored(store) == kept_keys
    with refused(NotFound):
        records.get(CURATOR, uuid.UUID(gone["id"]))
    assert shown_media(shown) == [kept["id"]]
    remove(kept["id"])
    assert stored(store) == set()
    assert get(shown)["media"] == []
    assert listed(shown) == []


def test_deleting_the_object_deletes_its_media_and_their_files(shown, store, tmp_path):
    item = upload(shown, picture(tmp_path, "vue.png"))
    other = new_object(status="public")
    kept = upload(other, picture(tmp_path, "autre.png"))
    write.delete(CURATOR, uuid.UUID(shown["id"]), etag(shown))
    db.session.remove()
    with refused(NotFound):
        records.get(CURATOR, uuid.UUID(item["id"]))
    assert stored(store) == keys_of(kept)
