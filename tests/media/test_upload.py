"""Uploading media: types from bytes, metadata, derivatives, limits and failures."""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from pathlib import Path

import pytest
from PIL import Image

from catalogue.extensions import db
from catalogue.models import CatalogueObject
from media.storage import LocalStorage, S3Storage
from tests.helpers import obj
from tests.media import samples
from tests.media.conftest import media_rows, stored, upload, uploaded


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_jpeg_upload_records_metadata_and_strips_gps(client, curator, store, files, public_object):
    media = uploaded(client, curator, public_object["id"], files["jpeg_gps"], caption="Vue")
    assert media["content_type"] == "image/jpeg"
    assert (media["width"], media["height"]) == (640, 480)
    assert media["sha256"] == sha256(files["jpeg_gps"])
    assert media["size"] == files["jpeg_gps"].stat().st_size
    assert media["caption"] == {"fr": "Vue"}
    embedded = media["embedded"]
    assert embedded["camera_make"] == "Leica" and embedded["camera_model"] == "M3"
    assert embedded["artist"] == "Jean Dupont" and embedded["copyright"] == "La Coupole"
    assert embedded["date_taken"] == "1944-06-06T07:30:00"
    assert embedded["caption"] == "Le blockhaus en 1944"
    assert not any("gps" in key.lower() for key in embedded)
    for kind, longest in (("thumbnail", 256), ("preview", 640)):
        response = client.get(f"/api/v1/media/{media['id']}/{kind}")
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        image = Image.open(io.BytesIO(response.data))
        assert max(image.size) == longest
        assert not image.getexif() and not image.getexif().get_ifd(0x8825)
        assert "exif" not in image.info and "photoshop" not in image.info


def test_content_type_comes_from_bytes_not_name(app, client, curator, store, files, public_object):
    response = upload(client, curator, public_object["id"], files["text"], name="photo.jpg")
    assert response.status_code == 415
    assert response.mimetype == "application/problem+json"
    assert stored(store) == [] and media_rows(app) == 0


def test_png_with_alpha_is_flattened_on_white(client, curator, store, files, public_object):
    media = uploaded(client, curator, public_object["id"], files["png_alpha"], name="a.jpg")
    assert media["content_type"] == "image/png"
    thumb = Image.open(io.BytesIO(client.get(f"/api/v1/media/{media['id']}/thumbnail").data))
    assert thumb.mode == "RGB"
    right = thumb.getpixel((thumb.width - 5, thumb.height // 2))
    left = thumb.getpixel((5, thumb.height // 2))
    assert min(right) > 245 and left[0] > 200 and left[1] < 40


def test_large_and_16_bit_tiffs(client, curator, store, files, public_object):
    large = uploaded(client, curator, public_object["id"], files["tiff_large"])
    assert (large["content_type"], large["width"], large["height"]) == ("image/tiff", 8000, 6000)
    deep = uploaded(client, curator, public_object["id"], files["tiff_16"])
    assert (deep["width"], deep["height"]) == (1200, 800)
    thumb = Image.open(io.BytesIO(client.get(f"/api/v1/media/{deep['id']}/thumbnail").data))
    assert thumb.mode == "RGB" and thumb.size == (256, 171)
    # The 16-bit gradient keeps its shape in 8 bits: dark top-left, bright bottom-right.
    assert sum(thumb.getpixel((2, 2))) < 30 and sum(thumb.getpixel((250, 168))) > 400


@pytest.mark.parametrize(
    ("size", "thumbnail"), [((64, 48), (64, 48)), ((1, 1), (1, 1)), ((600, 20), (256, 9))]
)
def test_small_and_thin_images_get_derivatives(
    client, curator, store, public_object, tmp_path, size, thumbnail
):
    path = tmp_path / "petit.png"
    Image.new("RGB", size, (200, 100, 50)).save(path)
    media = uploaded(client, curator, public_object["id"], path)
    assert (media["width"], media["height"]) == size
    thumb = Image.open(io.BytesIO(client.get(f"/api/v1/media/{media['id']}/thumbnail").data))
    assert thumb.size == thumbnail  # made smaller, never enlarged
    full = client.get(f"/iiif/3/{media['id']}/full/max/0/default.jpg")
    assert full.status_code == 200 and Image.open(io.BytesIO(full.data)).size == size


def test_a_small_photograph_taken_sideways_is_turned_upright(
    client, curator, store, public_object, tmp_path
):
    path = tmp_path / "portrait.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turn 90 degrees clockwise to view
    Image.new("RGB", (64, 48), (30, 60, 90)).save(path, exif=exif)
    media = uploaded(client, curator, public_object["id"], path)
    assert (media["width"], media["height"]) == (48, 64)
    thumb = Image.open(io.BytesIO(client.get(f"/api/v1/media/{media['id']}/thumbnail").data))
    assert thumb.size == (48, 64)


def test_a_pdf_is_shown_by_its_first_page(client, curator, store, files, public_object):
    media = uploaded(client, curator, public_object["id"], files["pdf"])
    # 200 x 280 points rendered at 300 dpi.
    assert media["content_type"] == "application/pdf"
    assert (media["width"], media["height"]) == (834, 1167)
    assert media["embedded"] == {}
    thumb = Image.open(io.BytesIO(client.get(media["links"]["thumbnail"]).data))
    assert thumb.size == (183, 256)
    # The first page: a black block at the top left of a white page.
    assert sum(thumb.getpixel((10, 10))) < 60 and min(thumb.getpixel((150, 200))) > 230
    info = client.get(f"/iiif/3/{media['id']}/info.json")
    assert info.status_code == 200 and info.get_json()["width"] == 834


def test_a_pdf_that_cannot_be_rendered_is_kept_without_derivatives(
    client, curator, store, public_object, tmp_path
):
    path = samples.unreadable_pdf(tmp_path / "abime.pdf")
    media = uploaded(client, curator, public_object["id"], path)
    assert media["content_type"] == "application/pdf" and media["width"] is None
    assert "thumbnail" not in media["links"]
    assert client.get(f"/api/v1/media/{media['id']}/thumbnail").status_code == 404
    assert client.get(f"/iiif/3/{media['id']}/info.json").status_code == 404
    assert stored(store) == [f"originals/{media['id'][:2]}/{media['id']}"]


@pytest.mark.parametrize("sample", ["bomb", "truncated"])
def test_bombs_and_truncated_images_are_422(
    app, client, curator, store, files, public_object, sample
):
    response = upload(client, curator, public_object["id"], files[sample])
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert stored(store) == [] and media_rows(app) == 0


def test_client_filename_never_becomes_a_key(client, curator, store, files, public_object):
    media = uploaded(client, curator, public_object["id"], files["pdf"], name="../../etc/passwd")
    assert media["original_filename"] == "../../etc/passwd"
    assert all(".." not in key and "passwd" not in key for key in stored(store))
    if isinstance(store, LocalStorage):
        assert not (store.root.parent.parent / "etc").exists()


def test_size_limit_is_413(app, client, curator, store, files, public_object, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    response = upload(client, curator, public_object["id"], files["jpeg_gps"])
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert stored(store) == [] and media_rows(app) == 0


def test_storage_outage_is_503_and_records_nothing(
    app, client, curator, files, storage_kind, public_object, tmp_path, monkeypatch
):
    if storage_kind == "s3":
        from tests.seaweed import free_port

        down = S3Storage("catalogue-media", "x", f"http://127.0.0.1:{free_port()}")
    else:
        blocker = tmp_path / "not-a-directory"
        blocker.write_text("a file where the media directory should be")
        down = LocalStorage(blocker / "media")
    monkeypatch.setitem(app.extensions, "media_storage", down)
    response = upload(client, curator, public_object["id"], files["jpeg_gps"])
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert media_rows(app) == 0
    assert client.get("/readyz").status_code == 503


def test_database_failure_after_storing_removes_the_files(
    app, client, curator, store, files, public_object, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    from catalogue.services.media import records as service

    def failing_commit():
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(service.uow, "commit", failing_commit)
    response = upload(client, curator, public_object["id"], files["jpeg_gps"])
    assert response.status_code == 503
    assert stored(store) == []
    assert media_rows(app) == 0


def test_only_staff_upload(client, users, store, files, public_object):
    for role, status in (("anonymous", 401), ("researcher", 403)):
        response = upload(client, users[role], public_object["id"], files["pdf"])
        assert response.status_code == status
    assert stored(store) == []


def test_missing_file_field_is_422(client, curator, store, public_object):
    response = client.post(
        f"/api/v1/objects/{public_object['id']}/media",
        data={"caption": "x"},
        headers=curator.headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "file" in response.get_json()["errors"]


def test_upload_updates_the_object_record(app, client, curator, store, files, public_object):
    first = uploaded(client, curator, public_object["id"], files["jpeg_gps"])
    second = uploaded(client, curator, public_object["id"], files["pdf"], primary="true")
    record = client.get(f"/api/v1/objects/{public_object['id']}").get_json()
    assert [m["id"] for m in record["media"]] == [first["id"], second["id"]]
    assert [m["primary"] for m in record["media"]] == [False, True]
    assert record["media"][0]["thumbnail"] == f"/api/v1/media/{first['id']}/thumbnail"
    assert record["media"][0]["iiif"] == f"/iiif/3/{first['id']}/info.json"
    with app.app_context():
        assert db.session.get(CatalogueObject, uuid.UUID(public_object["id"])).has_media is True


def test_upload_to_unknown_or_hidden_object_is_404(client, users, store, files):
    draft = obj(client, users["curator"])
    response = upload(client, users["researcher"], draft["id"], files["pdf"])
    assert response.status_code in (403, 404)
    response = upload(
        client, users["curator"], "00000000-0000-0000-0000-000000000000", files["pdf"]
    )
    assert response.status_code == 404


def _deleted_but_open(ignored: str) -> set[str]:
    found = set()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed while listed
            continue
        if target.endswith("(deleted)") and not target.startswith(ignored):
            found.add(target)
    return found


def test_no_file_of_an_upload_stays_open_after_it(
    app, client, curator, store, files, public_object
):
    """libvips' operation cache kept each upload's temporary files open, deleted but still on
    disk, until a hundred later operations pushed them out. (Not counted: index segments that
    the upload's commit merged away while a searcher kept warm for this thread reads them;
    it lets them go at its next search.)"""
    index = app.config["SEARCH_INDEX_DIR"]
    before = _deleted_but_open(index)
    uploaded(client, curator, public_object["id"], files["tiff_large"])
    assert upload(client, curator, public_object["id"], files["truncated"]).status_code == 422
    assert _deleted_but_open(index) - before == set()
