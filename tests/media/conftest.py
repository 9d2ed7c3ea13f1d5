"""Media fixtures: sample files, a SeaweedFS S3 server, and the app on each storage backend.

Every media test runs on the local-directory backend and on real S3 (SeaweedFS), on top of
the database backends of the main conftest.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from catalogue.extensions import db
from tests.conformance import SHARED
from tests.helpers import obj
from tests.media import samples


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    """Sample files, made once per run."""
    base = tmp_path_factory.mktemp("samples")
    return {
        "jpeg_gps": samples.jpeg_with_gps(base / "gps.jpg"),
        "png_alpha": samples.png_with_alpha(base / "alpha.png"),
        "tiff_large": samples.tiff(base / "large.tif", 8_000, 6_000),
        "tiff_16": samples.tiff(base / "scan16.tif", 1_200, 800, sixteen_bit=True),
        "pdf": samples.pdf(base / "letter.pdf"),
        "bomb": samples.png_bomb(base / "bomb.png"),
        "truncated": samples.truncated_jpeg(base / "truncated.jpg"),
        "text": samples.text_named_jpg(base / "photo.jpg"),
        "iiif_test": SHARED / "schemas/iiif/image-api/67352ccc-d1b0-11e1-89ae-279075081939.png",
    }


def upload(client, caller, object_id, path: Path, name: str | None = None, **fields):
    """POST a file as multipart; returns the response."""
    with open(path, "rb") as handle:
        part = FileStorage(handle, filename=name or path.name, content_type="image/jpeg")
        data = {"file": part, **{k: str(v) for k, v in fields.items()}}
        # Encoded here (in memory) so the body stream is closed: the test client's own
        # encoder leaves a temporary file open for bodies above 500 KB.
        body, length, boundary = stream_encode_multipart(data, use_tempfile=False)
    with body:
        return client.post(
            f"/api/v1/objects/{object_id}/media",
            input_stream=body,
            headers={**caller.headers, "Content-Length": str(length)},
            content_type=f"multipart/form-data; boundary={boundary}",
        )


def uploaded(client, caller, object_id, path: Path, **fields) -> dict:
    response = upload(client, caller, object_id, path, **fields)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


@pytest.fixture
def public_object(client, curator):
    return obj(client, curator, status="public")


def stored(backend) -> list[str]:
    return list(backend.list_keys())


def media_rows(app) -> int:
    from catalogue.models import Media

    with app.app_context():
        count = db.session.query(Media).count()
        db.session.remove()
    return count


class PeakMemory:
    """Growth of this process's peak resident memory over a block (Linux: VmHWM is reset by
    writing 5 to /proc/self/clear_refs)."""

    def __enter__(self) -> PeakMemory:
        Path("/proc/self/clear_refs").write_text("5")
        self.start = _status_kib("VmRSS")
        return self

    def __exit__(self, *exc) -> None:
        self.growth = (_status_kib("VmHWM") - self.start) * 1024


def _status_kib(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {name} in /proc/self/status")
