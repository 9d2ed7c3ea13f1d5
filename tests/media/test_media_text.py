"""Captions, rights and file names hold text the catalogue can publish (``schemas.text``)."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from tests import helpers
from tests.media.conftest import media_rows, upload, uploaded


def stored_keys(app) -> list[str]:
    return list(app.extensions["media_storage"].list_keys())


@pytest.mark.parametrize(
    ("fields", "name", "path"),
    [
        ({"caption": "Vue de face\uffff"}, "photo.png", "caption"),
        ({"caption": json.dumps({"fr": "Vue", "en": "Front\u0000"})}, "photo.png", "caption.en"),
        ({"caption": json.dumps({"fr": "Vue\ufdd0"})}, "photo.png", "caption.fr"),
        ({"rights": "CC BY\x00"}, "photo.png", "rights"),
        ({}, "photo\x00.png", "file"),
        ({}, "photo\ufffe.png", "file"),
    ],
)
def test_uploads_with_refused_text_are_422_and_store_nothing(
    app, client, curator, files, fields, name, path
):
    record = helpers.obj(client, curator, status="public")
    before = stored_keys(app)
    response = upload(client, curator, record["id"], files["png_alpha"], name=name, **fields)
    assert path in helpers.is_problem(response, 422)["errors"]
    assert media_rows(app) == 0 and stored_keys(app) == before


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"caption": {"fr": "Vue", "en": "Front\ufffe"}}, "caption.en"),
        ({"caption": "Vue\x00"}, "caption"),
        ({"rights": "CC BY\uffff"}, "rights"),
    ],
)
def test_media_patches_with_refused_text_change_nothing(client, curator, files, changes, path):
    record = helpers.obj(client, curator, status="public")
    media = uploaded(client, curator, record["id"], files["png_alpha"], caption="Vue")
    url = f"/api/v1/media/{media['id']}"
    etag = client.get(url, headers=curator.headers).headers["ETag"]
    response = helpers.write(client, curator, "patch", url, changes, etag)
    assert path in helpers.is_problem(response, 422)["errors"]
    assert client.get(url, headers=curator.headers).headers["ETag"] == etag


def test_metadata_embedded_in_a_file_is_kept_without_refused_characters(client, curator, tmp_path):
    """Cameras pad and garble their text; the upload keeps it readable rather than failing."""
    exif = Image.Exif()
    exif[0x013B] = "Jean\x00Dupont\x07"
    exif[0x8298] = "La Coupole"
    path = tmp_path / "camera.jpg"
    Image.new("RGB", (64, 48), (90, 120, 150)).save(path, exif=exif)
    record = helpers.obj(client, curator, status="public")
    media = uploaded(client, curator, record["id"], path)
    # EXIF separates the values of a field with NUL: read as a list; the bell is replaced.
    assert media["embedded"]["artist"] == "Jean; Dupont\ufffd"
    assert media["embedded"]["copyright"] == "La Coupole"


@pytest.mark.parametrize(
    "request_path",
    [
        "%00/max/0/default.jpg",
        "full/%00/0/default.jpg",
        "full/max/%00/default.jpg",
        "full/max/0/%00.jpg",
        "full/max/0/default.%00",
        "full/max/0/default.jpg%00",
        "full/max/0/default.jpg%0A",
        "full/max/0%0D%0ALink:%20x/default.jpg",
        "full/max/0/default.jpg%EF%BF%BF",
        "pct:%00/max/0/default.jpg",
        "full/99999999999999999999999,/0/default.jpg",
    ],
)
def test_iiif_image_parameters_with_refused_text_are_400(client, curator, files, request_path):
    record = helpers.obj(client, curator, status="public")
    media = uploaded(client, curator, record["id"], files["png_alpha"])
    response = client.get(f"/iiif/3/{media['id']}/{request_path}")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert "Link" not in response.headers
