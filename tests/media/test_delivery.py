"""Reading, changing and deleting media; originals and derivatives; visibility everywhere."""

from __future__ import annotations

import urllib.request
import uuid

import pytest

from catalogue.extensions import db
from catalogue.models import CatalogueObject
from tests.helpers import obj
from tests.media.conftest import media_rows, stored, uploaded


def test_content_of_the_original(client, curator, store, storage_kind, files, public_object):
    media = uploaded(client, curator, public_object["id"], files["pdf"])
    original = files["pdf"].read_bytes()
    response = client.get(f"/api/v1/media/{media['id']}/content", buffered=True)
    if storage_kind == "s3":
        assert response.status_code == 302
        url = response.headers["Location"]
        assert "X-Amz-Expires=300" in url and "X-Amz-Signature=" in url
        with urllib.request.urlopen(url) as fetched:  # the presigned URL really serves the file
            assert fetched.read() == original
    else:
        assert response.status_code == 200 and response.data == original
        assert response.mimetype == "application/pdf"
        ranged = client.get(
            f"/api/v1/media/{media['id']}/content", headers={"Range": "bytes=0-7"}, buffered=True
        )
        assert ranged.status_code == 206 and ranged.data == original[:8]
        assert ranged.headers["Content-Range"] == f"bytes 0-7/{len(original)}"


def test_thumbnails_are_cacheable_with_etags(client, curator, store, files, public_object):
    media = uploaded(client, curator, public_object["id"], files["jpeg_gps"])
    response = client.get(f"/api/v1/media/{media['id']}/thumbnail")
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "public" in response.headers["Cache-Control"]
    again = client.get(
        f"/api/v1/media/{media['id']}/thumbnail",
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304


def test_patch_and_delete_need_if_match(app, client, curator, store, files, public_object):
    first = uploaded(client, curator, public_object["id"], files["jpeg_gps"])
    second = uploaded(client, curator, public_object["id"], files["png_alpha"])
    path = f"/api/v1/media/{second['id']}"
    change = {"caption": {"fr": "Façade", "en": "Front"}, "primary": True, "position": -1}
    assert client.patch(path, json=change, headers=curator.headers).status_code == 428
    stale = {**curator.headers, "If-Match": '"stale"'}
    assert client.patch(path, json=change, headers=stale).status_code == 412
    etag = client.get(path, headers=curator.headers).headers["ETag"]
    response = client.patch(path, json=change, headers={**curator.headers, "If-Match": etag})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["caption"] == {"fr": "Façade", "en": "Front"}
    record = client.get(f"/api/v1/objects/{public_object['id']}").get_json()
    assert [(m["id"], m["primary"]) for m in record["media"]] == [
        (second["id"], True),
        (first["id"], False),
    ]
    bad = client.patch(path, json={"public": "yes"}, headers={**curator.headers, "If-Match": "*"})
    assert bad.status_code == 422
    for media in (first, second):
        etag = client.get(f"/api/v1/media/{media['id']}", headers=curator.headers).headers["ETag"]
        deleted = client.delete(
            f"/api/v1/media/{media['id']}", headers={**curator.headers, "If-Match": etag}
        )
        assert deleted.status_code == 204
    assert stored(store) == [] and media_rows(app) == 0
    assert client.get(f"/api/v1/objects/{public_object['id']}").get_json()["media"] == []
    with app.app_context():
        assert not db.session.get(CatalogueObject, uuid.UUID(public_object["id"])).has_media


def test_deleting_the_object_removes_its_files(app, client, curator, store, files, public_object):
    uploaded(client, curator, public_object["id"], files["jpeg_gps"])
    uploaded(client, curator, public_object["id"], files["pdf"])
    assert len(stored(store)) == 8  # each with its original, pyramid, preview and thumbnail
    etag = client.get(f"/api/v1/objects/{public_object['id']}", headers=curator.headers).headers[
        "ETag"
    ]
    response = client.delete(
        f"/api/v1/objects/{public_object['id']}", headers={**curator.headers, "If-Match": etag}
    )
    assert response.status_code == 204
    assert stored(store) == [] and media_rows(app) == 0


def _paths(media_id: str) -> list[str]:
    return [
        f"/api/v1/media/{media_id}",
        f"/api/v1/media/{media_id}/content",
        f"/api/v1/media/{media_id}/thumbnail",
        f"/api/v1/media/{media_id}/preview",
        f"/iiif/3/{media_id}/info.json",
        f"/iiif/3/{media_id}/full/max/0/default.jpg",
        f"/iiif/3/{media_id}",
    ]


@pytest.mark.parametrize("status", ["draft", "internal"])
def test_media_of_hidden_objects_answer_404(client, users, store, files, status):
    record = obj(client, users["curator"], status=status)
    media = uploaded(client, users["curator"], record["id"], files["jpeg_gps"])
    hidden_from = ["anonymous"] + (["researcher"] if status == "draft" else [])
    for role in hidden_from:
        for path in _paths(media["id"]):
            assert client.get(path, headers=users[role].headers).status_code == 404, (role, path)
        manifest = client.get(
            f"/iiif/3/objects/{record['id']}/manifest", headers=users[role].headers
        )
        assert manifest.status_code == 404
    assert client.get(_paths(media["id"])[4], headers=users["curator"].headers).status_code == 200


def test_non_public_media_are_staff_only(client, users, store, files, public_object):
    curator = users["curator"]
    hidden = uploaded(client, curator, public_object["id"], files["jpeg_gps"], public="false")
    shown = uploaded(client, curator, public_object["id"], files["png_alpha"])
    for role in ("anonymous", "researcher"):
        headers = users[role].headers
        for path in _paths(hidden["id"]):
            assert client.get(path, headers=headers).status_code == 404, (role, path)
        record = client.get(f"/api/v1/objects/{public_object['id']}", headers=headers).get_json()
        assert [m["id"] for m in record["media"]] == [shown["id"]]
        manifest = client.get(f"/iiif/3/objects/{public_object['id']}/manifest", headers=headers)
        assert hidden["id"] not in manifest.get_data(as_text=True)
    staff = client.get(f"/api/v1/objects/{public_object['id']}", headers=curator.headers)
    assert {m["id"] for m in staff.get_json()["media"]} == {hidden["id"], shown["id"]}
    assert (
        client.get(f"/api/v1/media/{hidden['id']}/thumbnail", headers=curator.headers).status_code
        == 200
    )
    # Staff-only media must not sit in shared caches.
    private = client.get(f"/api/v1/media/{hidden['id']}/thumbnail", headers=curator.headers)
    assert private.headers["Cache-Control"].startswith("private")


def test_unknown_media_is_404_problem(client, store):
    response = client.get(f"/api/v1/media/{uuid.uuid4()}")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_readiness_reports_media_storage(client, store):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["media_storage"] == "ok"
