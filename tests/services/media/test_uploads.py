"""Uploads: an image is stored with its derivatives and shown by its object; anything else
is refused before a byte is stored."""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image

from catalogue.extensions import db
from catalogue.services.errors import (
    Forbidden,
    NotFound,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
)
from catalogue.services.identity import ANONYMOUS
from catalogue.services.media import uploads
from catalogue.services.objects import read
from tests.services.builders import CURATOR, RESEARCHER, get, new_object, refused
from tests.services.media.media_helpers import (
    keys_of,
    media,
    media_rows,
    picture,
    received,
    stored,
    upload,
)


@pytest.fixture
def shown(ctx, store):
    """A public object (the store is a fresh one for the test)."""
    return new_object(status="public")


def with_media(identity) -> list[str]:
    """Ids of the objects the caller finds when listing those with media."""
    page = read.list_objects(identity, {"has_media": True})
    found = [item.data["id"] for item in page.items]
    db.session.remove()
    return found


@pytest.mark.parametrize(
    ("name", "content_type"), [("scan.png", "image/png"), ("vue.jpg", "image/jpeg")]
)
def test_an_image_is_stored_with_its_derivatives(shown, store, tmp_path, name, content_type):
    path = picture(tmp_path, name, size=(600, 400))
    item = upload(shown, path, caption="Vue de face", rights="CC BY 4.0")
    assert item["content_type"] == content_type
    assert (item["width"], item["height"]) == (600, 400)
    assert item["size"] == path.stat().st_size and item["original_filename"] == name
    assert item["caption"] == {"fr": "Vue de face"} and item["rights"] == "CC BY 4.0"
    assert item["public"] is True and item["position"] == 0 and item["primary"] is True
    links = item["links"]
    assert links["thumbnail"] == f"/api/v1/media/{item['id']}/thumbnail"
    assert links["preview"] == f"/api/v1/media/{item['id']}/preview"
    assert links["iiif"] == f"/iiif/3/{item['id']}/info.json"
    derivatives = f"derivatives/{item['id']}/"
    original = f"originals/{item['id'][:2]}/{item['id']}"
    assert stored(store) == {
        original,
        derivatives + "pyramid.tif",
        derivatives + "preview.jpg",
        derivatives + "thumbnail.jpg",
    }
    assert store.read(original) == path.read_bytes()
    thumbnail = Image.open(io.BytesIO(store.read(derivatives + "thumbnail.jpg")))
    assert thumbnail.format == "JPEG" and thumbnail.size == (256, 171)
    preview = Image.open(io.BytesIO(store.read(derivatives + "preview.jpg")))
    assert preview.format == "JPEG" and preview.size == (600, 400)  # never enlarged
    assert media(item["id"]).data == item


def test_the_object_record_lists_its_media_and_has_media_becomes_true(shown, tmp_path):
    plain = new_object(status="public")
    assert get(shown)["media"] == [] and with_media(CURATOR) == []
    first = upload(shown, picture(tmp_path, "a.png"), caption="Face")
    second = upload(shown, picture(tmp_path, "b.jpg"))
    summaries = get(shown, ANONYMOUS)["media"]
    assert [(m["id"], m["position"], m["primary"]) for m in summaries] == [
        (first["id"], 0, True),
        (second["id"], 1, False),
    ]
    assert summaries[0]["caption"] == {"fr": "Face"}
    assert summaries[0]["thumbnail"] == first["links"]["thumbnail"]
    assert with_media(ANONYMOUS) == [shown["id"]] and with_media(CURATOR) == [shown["id"]]
    assert plain["id"] not in with_media(CURATOR)


def test_an_object_with_only_private_media_has_none_for_the_public(shown, tmp_path):
    item = upload(shown, picture(tmp_path, "a.png"), public="false")
    assert item["public"] is False
    assert get(shown, ANONYMOUS)["media"] == [] and with_media(ANONYMOUS) == []
    assert with_media(RESEARCHER) == []
    assert with_media(CURATOR) == [shown["id"]]
    assert [m["id"] for m in get(shown)["media"]] == [item["id"]]


def test_an_unknown_file_type_is_refused_and_nothing_is_kept(shown, store, tmp_path):
    path = tmp_path / "inventaire.png"
    path.write_text("Inventaire de la salle 3\n" * 20)
    with refused(UnsupportedMediaType):
        uploads.upload(CURATOR, uuid.UUID(shown["id"]), received(path, "inventaire.png"), {})
    assert stored(store) == set() and media_rows() == 0
    assert get(shown)["media"] == [] and with_media(CURATOR) == []


def test_an_image_that_cannot_be_decoded_is_refused_and_nothing_is_kept(shown, store, tmp_path):
    whole = picture(tmp_path, "vue.png").read_bytes()
    path = tmp_path / "cut.png"
    path.write_bytes(whole[: len(whole) // 3])
    with refused(ValidationFailed) as caught:
        uploads.upload(CURATOR, uuid.UUID(shown["id"]), received(path, "vue.png"), {})
    assert list(caught.value.errors) == ["file"]
    assert stored(store) == set() and media_rows() == 0


@pytest.mark.parametrize(
    ("form", "field"),
    [({"public": "maybe"}, "public"), ({"caption": '{"fr": 3}'}, "caption")],
)
def test_bad_fields_are_refused_and_nothing_is_kept(shown, store, tmp_path, form, field):
    path = picture(tmp_path, "vue.png")
    with refused(ValidationFailed) as caught:
        uploads.upload(CURATOR, uuid.UUID(shown["id"]), received(path), form)
    assert list(caught.value.errors) == [field]
    assert stored(store) == set() and media_rows() == 0


@pytest.mark.parametrize(("caller", "error"), [(RESEARCHER, Forbidden), (ANONYMOUS, Unauthorized)])
def test_only_staff_upload(shown, store, tmp_path, caller, error):
    path = picture(tmp_path, "vue.png")
    with refused(error):
        uploads.check_upload(caller, uuid.UUID(shown["id"]))
    with refused(error):
        uploads.upload(caller, uuid.UUID(shown["id"]), received(path), {})
    assert stored(store) == set() and media_rows() == 0


def test_an_upload_to_an_unknown_object_is_refused(shown, store, tmp_path):
    with refused(NotFound):
        uploads.upload(CURATOR, uuid.uuid4(), received(picture(tmp_path, "vue.png")), {})
    assert stored(store) == set() and media_rows() == 0


def test_a_draft_takes_media_that_stay_hidden_with_it(ctx, store, tmp_path):
    draft = new_object(status="draft")
    item = upload(draft, picture(tmp_path, "vue.png"))
    assert keys_of(item) == stored(store)
    assert with_media(CURATOR) == [draft["id"]] and with_media(ANONYMOUS) == []
