"""IIIF Image API 3.0 and Presentation 3.0: parsing, rendering, the official validator."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft7Validator
from PIL import Image
from werkzeug.serving import make_server

from media import iiif
from tests.media.conftest import SHARED, uploaded

# ---- parameter parsing (no app) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("full", (0, 0, 1000, 800)),
        ("square", (100, 0, 800, 800)),
        ("10,20,300,400", (10, 20, 300, 400)),
        ("900,700,300,300", (900, 700, 100, 100)),
        ("pct:10,10,50,50", (100, 80, 500, 400)),
    ],
)
def test_regions(region, expected):
    assert iiif.parse_region(region, 1000, 800) == expected


@pytest.mark.parametrize(
    "region", ["", "0,0,0,10", "1000,0,10,10", "pct:101,0,1,1", "a,b,c,d", "1,2,3"]
)
def test_bad_regions(region):
    with pytest.raises(iiif.IIIFError):
        iiif.parse_region(region, 1000, 800)


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ("max", (1000, 800)),
        ("500,", (500, 400)),
        (",400", (500, 400)),
        ("pct:50", (500, 400)),
        ("200,100", (200, 100)),
        ("!500,500", (500, 400)),
        ("^2000,", (2000, 1600)),
        ("^pct:150", (1500, 1200)),
        ("^!3000,1600", (2000, 1600)),
    ],
)
def test_sizes(size, expected):
    assert iiif.parse_size(size, 1000, 800) == expected


@pytest.mark.parametrize("size", ["1001,", ",801", "pct:101", "!2000,3000", "0,", ",", "full", "^"])
def test_bad_sizes(size):
    with pytest.raises(iiif.IIIFError):
        iiif.parse_size(size, 1000, 800)


def test_rotation_and_quality_and_format():
    assert iiif.parse_rotation("!90") == (True, 90)
    assert iiif.parse_rotation("270") == (False, 270)
    for bad in ("45", "-90", "400", "x"):
        with pytest.raises(iiif.IIIFError):
            iiif.parse_rotation(bad)
    for quality, fmt in (("best", "jpg"), ("default", "gif"), ("default", "tif")):
        with pytest.raises(iiif.IIIFError):
            iiif.parse("full", "max", "0", quality, fmt, 10, 10)


# ---- through the API ----------------------------------------------------------------------


def image_of(response) -> Image.Image:
    assert response.status_code == 200, response.get_data(as_text=True)
    return Image.open(io.BytesIO(response.data))


def test_image_requests(client, curator, store, files, public_object):
    media = uploaded(client, curator, public_object["id"], files["png_alpha"])  # 400 x 300
    base = f"/iiif/3/{media['id']}"
    info = client.get(f"{base}/info.json").get_json()
    assert info["id"].endswith(base) and info["type"] == "ImageService3"
    assert (info["width"], info["height"]) == (400, 300) and info["profile"] == "level2"
    assert info["tiles"][0]["width"] == 512 and info["sizes"][-1] == {"width": 400, "height": 300}
    left = image_of(client.get(f"{base}/0,0,200,300/100,/0/default.png"))
    assert left.size == (100, 150) and left.getpixel((50, 75))[0] > 200
    mirrored = image_of(client.get(f"{base}/full/max/!0/default.png"))
    assert mirrored.getpixel((390, 150))[:3][0] > 200 and min(mirrored.getpixel((10, 150))) > 240
    turned = image_of(client.get(f"{base}/full/,100/90/gray.webp"))
    red = turned.convert("RGB").getpixel((50, 30))
    assert turned.size == (100, 133) and red[0] == red[1] == red[2] and 0 < red[0] < 200
    bitonal = image_of(client.get(f"{base}/square/50,50/180/bitonal.jpg"))
    assert bitonal.size == (50, 50)
    assert client.get(f"{base}/full/^800,/0/default.jpg").status_code == 200
    for bad in (
        "full/800,/0/default.jpg",
        "full/max/45/default.jpg",
        "nope/max/0/default.jpg",
        "full/max/0/best.jpg",
        "full/max/0/default.gif",
    ):
        response = client.get(f"{base}/{bad}")
        assert response.status_code == 400, bad
        assert response.mimetype == "application/problem+json"
    assert client.get(f"/iiif/3/{uuid.uuid4()}/info.json").status_code == 404


@pytest.mark.parametrize("storage_kind", ["local"])
def test_image_service_links_ignore_a_forged_host(
    app, client, curator, store, files, public_object, monkeypatch
):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://collections.museum.example")
    media = uploaded(client, curator, public_object["id"], files["png_alpha"])
    base = f"/iiif/3/{media['id']}"
    forged = "http://evil.example"
    info = client.get(f"{base}/info.json", base_url=forged).get_json()
    assert info["id"] == f"https://collections.museum.example{base}"
    redirect = client.get(base, base_url=forged)
    assert redirect.headers["Location"] == f"https://collections.museum.example{base}/info.json"
    tile = client.get(f"{base}/full/max/0/default.jpg", base_url=forged)
    assert tile.headers["Link"].startswith(f"<https://collections.museum.example{base}/")


def test_tile_from_a_large_tiff(client, curator, store, files, public_object):
    media = uploaded(client, curator, public_object["id"], files["tiff_large"])  # 8000 x 6000
    info = client.get(f"/iiif/3/{media['id']}/info.json").get_json()
    assert info["tiles"][0]["scaleFactors"][:4] == [1, 2, 4, 8]
    tile = image_of(client.get(f"/iiif/3/{media['id']}/4096,2048,1024,1024/512,/0/default.jpg"))
    assert tile.size == (512, 512)
    whole = image_of(client.get(f"/iiif/3/{media['id']}/full/!400,400/0/default.jpg"))
    assert whole.size == (400, 300)


# ---- the official Image API validator -----------------------------------------------------

IIIF_TEST_IMAGE = SHARED / "schemas/iiif/image-api/67352ccc-d1b0-11e1-89ae-279075081939.png"


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


def test_official_iiif_image_validator_level_2(client, curator, store, public_object, live_server):
    media = uploaded(client, curator, public_object["id"], IIIF_TEST_IMAGE)
    validator = Path(sys.executable).with_name("iiif-validate.py")
    result = subprocess.run(
        [
            sys.executable,
            str(validator),
            "-s",
            live_server,
            "-p",
            "iiif/3",
            "-i",
            media["id"],
            "--version=3.0",
            "--level=2",
            "-v",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "FAIL" not in output and output.count("PASS") >= 30, output[-6000:]


# ---- Presentation 3.0 manifests -----------------------------------------------------------

_SCHEMA = json.loads((SHARED / "schemas/iiif/schema/iiif_3_0.json").read_text())
MANIFEST_SCHEMA = Draft7Validator(
    {
        **{k: v for k, v in _SCHEMA.items() if k not in ("oneOf", "title")},
        "$ref": "#/classes/manifest",
    }
)


def assert_valid_manifest(document: dict) -> None:
    errors = [f"{e.json_path}: {e.message}" for e in MANIFEST_SCHEMA.iter_errors(document)]
    assert not errors and Draft7Validator(_SCHEMA).is_valid(document), "\n".join(errors)


def test_manifest(client, curator, store, files):
    from tests.helpers import obj

    record = obj(
        client,
        curator,
        status="public",
        title={"fr": "Fusée V2", "en": "V2 rocket"},
        rights={
            "statement": "Droits réservés",
            "uri": "http://rightsstatements.org/vocab/InC/1.0/",
        },
    )
    photo = uploaded(
        client,
        curator,
        record["id"],
        files["jpeg_gps"],
        caption='{"fr": "Vue"}',
        rights="© La Coupole",
    )
    uploaded(client, curator, record["id"], files["pdf"])
    uploaded(client, curator, record["id"], files["png_alpha"], public="false")
    response = client.get(f"/iiif/3/objects/{record['id']}/manifest")
    assert response.status_code == 200
    manifest = response.get_json()
    assert_valid_manifest(manifest)
    assert manifest["label"] == {"fr": ["Fusée V2"], "en": ["V2 rocket"]}
    assert manifest["rights"] == "http://rightsstatements.org/vocab/InC/1.0/"
    canvas, letter = manifest["items"]  # the non-public image has no canvas
    assert letter["width"] == 834 and letter["rendering"][0]["format"] == "application/pdf"
    assert urlsplit(letter["rendering"][0]["id"]).path.endswith("/content")
    assert "rendering" not in canvas
    assert canvas["label"] == {"fr": ["Vue"]}
    assert (canvas["width"], canvas["height"]) == (640, 480)
    body = canvas["items"][0]["items"][0]["body"]
    service = body["service"][0]
    assert service["id"].endswith(f"/iiif/3/{photo['id']}") and service["type"] == "ImageService3"
    assert client.get(urlsplit(body["id"]).path).status_code == 200
    assert (
        client.get(
            f"/iiif/3/objects/{record['id']}/manifest", headers={"Accept": "application/ld+json"}
        ).mimetype
        == "application/ld+json"
    )
