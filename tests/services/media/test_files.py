"""Stored files: keys made from the media id, never from what the client sends; the type
judged from the content, not the name."""

from __future__ import annotations

import uuid

import pytest

from catalogue.services.errors import ValidationFailed
from catalogue.services.media import files, uploads
from tests.services.builders import CURATOR, new_object, refused
from tests.services.media.media_helpers import (
    keys_of,
    media_rows,
    picture,
    received,
    stored,
    upload,
)


@pytest.fixture
def shown(ctx, store):
    return new_object(status="public")


def expected_keys(media_id: str) -> set[str]:
    derivatives = f"derivatives/{media_id}/"
    return {
        files.original_key(uuid.UUID(media_id)),
        *(derivatives + name for name in ("pyramid.tif", "preview.jpg", "thumbnail.jpg")),
    }


def test_keys_come_from_the_media_id_never_from_the_file_name(shown, store, tmp_path):
    names = ["../../etc/passwd.png", "derivatives/x/thumbnail.jpg", "Vue de face (1).png"]
    made = [upload(shown, picture(tmp_path, "vue.png"), filename=name) for name in names]
    assert [item["original_filename"] for item in made] == names  # kept as text only
    for item in made:
        assert files.original_key(uuid.UUID(item["id"])) == (
            f"originals/{item['id'][:2]}/{item['id']}"
        )
        assert keys_of(item) == expected_keys(item["id"])
    assert stored(store) == set().union(*(expected_keys(item["id"]) for item in made))
    for key in stored(store):
        assert "passwd" not in key and "Vue" not in key and ".." not in key


def test_two_files_of_the_same_name_are_both_kept(shown, store, tmp_path):
    red = picture(tmp_path, "photo.jpg", color=(220, 0, 0))
    blue = picture(tmp_path, "photo.jpg", color=(0, 0, 220))
    first, second = (upload(shown, path, filename="photo.jpg") for path in (red, blue))
    assert first["id"] != second["id"]
    assert store.read(files.original_key(uuid.UUID(first["id"]))) == red.read_bytes()
    assert store.read(files.original_key(uuid.UUID(second["id"]))) == blue.read_bytes()
    assert first["sha256"] != second["sha256"]


def test_the_type_is_judged_by_the_content_not_the_name(shown, store, tmp_path):
    item = upload(shown, picture(tmp_path, "vue.png"), filename="notes.pdf")
    assert item["content_type"] == "image/png" and item["original_filename"] == "notes.pdf"
    assert keys_of(item) == expected_keys(item["id"]) == stored(store)


def test_a_file_name_the_catalogue_cannot_keep_is_refused(shown, store, tmp_path):
    path = picture(tmp_path, "vue.png")
    with refused(ValidationFailed) as caught:
        uploads.upload(CURATOR, uuid.UUID(shown["id"]), received(path, "vue\x00.png"), {})
    assert list(caught.value.errors) == ["file"]
    assert stored(store) == set() and media_rows() == 0
