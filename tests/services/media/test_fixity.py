"""Fixity: every stored original re-read and compared, missing files and orphans found,
orphans removed on request."""

from __future__ import annotations

import uuid

import pytest

from catalogue.extensions import db
from catalogue.services.errors import Forbidden, Unauthorized
from catalogue.services.identity import ANONYMOUS
from catalogue.services.media import files, fixity
from media.storage import LocalStorage
from tests.services.builders import ADMIN, CURATOR, new_object, refused
from tests.services.media.media_helpers import keys_of, picture, stored, upload


@pytest.fixture
def shown(ctx, store):
    return new_object(status="public")


def verify(remove_orphans: bool = False) -> fixity.Report:
    report = fixity.verify(ADMIN, remove_orphans)
    db.session.remove()
    return report


def original(item: dict) -> str:
    return files.original_key(uuid.UUID(item["id"]))


def test_an_intact_store_verifies(shown, tmp_path):
    for name in ("a.png", "b.jpg"):
        upload(shown, picture(tmp_path, name))
    report = verify()
    assert report.checked == 2 and report.ok
    assert (report.missing, report.corrupt, report.orphans) == ([], [], [])


def test_verify_finds_missing_and_damaged_files_and_orphans(shown, store, tmp_path):
    lost = upload(shown, picture(tmp_path, "lost.png"))
    damaged = upload(shown, picture(tmp_path, "damaged.jpg"))
    intact = upload(shown, picture(tmp_path, "intact.png"))
    store.delete(original(lost))
    store.put_bytes(original(damaged), b"bit rot", "image/jpeg")
    store.delete(f"derivatives/{damaged['id']}/thumbnail.jpg")
    orphans = {"originals/zz/left-behind", f"derivatives/{uuid.uuid4()}/thumbnail.jpg"}
    for key in orphans:
        store.put_bytes(key, b"no record", "application/octet-stream")
    report = verify()
    assert report.checked == 3 and not report.ok
    assert sorted(report.missing) == sorted(
        [
            f"{lost['id']}: {original(lost)}",
            f"{damaged['id']}: derivatives/{damaged['id']}/thumbnail.jpg",
        ]
    )
    assert report.corrupt == [f"{damaged['id']}: {original(damaged)}"]
    assert set(report.orphans) == orphans and report.removed == []
    assert intact["id"] not in str(report)
    # Finding is not removing.
    assert orphans <= stored(store)


def test_removing_orphans_keeps_every_file_a_record_names(shown, store, tmp_path):
    kept = [upload(shown, picture(tmp_path, name)) for name in ("a.png", "b.jpg")]
    orphans = {"originals/zz/left-behind", f"derivatives/{uuid.uuid4()}/preview.jpg"}
    for key in orphans:
        store.put_bytes(key, b"no record", "application/octet-stream")
    report = verify(remove_orphans=True)
    assert set(report.removed) == orphans == set(report.orphans)
    assert report.ok  # what was found is gone
    assert stored(store) == keys_of(kept[0]) | keys_of(kept[1])
    again = verify()
    assert again.ok and again.orphans == [] and again.checked == 2


@pytest.mark.parametrize(("caller", "error"), [(CURATOR, Forbidden), (ANONYMOUS, Unauthorized)])
def test_only_admins_verify(shown, store, tmp_path, caller, error):
    store.put_bytes("originals/zz/left-behind", b"no record", "application/octet-stream")
    with refused(error):
        fixity.verify(caller, remove_orphans=True)
    assert stored(store) == {"originals/zz/left-behind"}


def put_stray(store, key: str) -> None:
    """A file put in the store by hand, under a name the catalogue would never make."""
    if isinstance(store, LocalStorage):
        path = store.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"put here by hand")
    else:
        store.client.put_object(Bucket=store.bucket, Key=f"{store.prefix}/{key}", Body=b"hand")


def test_a_file_put_in_the_store_by_hand_does_not_stop_the_removal_of_orphans(
    shown, store, tmp_path
):
    kept = upload(shown, picture(tmp_path, "a.png"))
    stray = "originals/.DS_Store"  # left by a file browser in a media folder
    put_stray(store, stray)
    store.put_bytes("originals/zz/left-behind", b"no record", "application/octet-stream")
    assert set(verify().orphans) == {stray, "originals/zz/left-behind"}
    report = verify(remove_orphans=True)
    assert "originals/zz/left-behind" in report.removed
    assert "originals/zz/left-behind" not in stored(store)
    # The stray file is removed, or else not reported as removed.
    assert (stray in report.removed) == (stray not in stored(store))
    assert keys_of(kept) <= stored(store)
