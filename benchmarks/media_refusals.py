"""Files costly to decode, uploaded to a real server (run on purpose, not a test:
``.venv/bin/python benchmarks/media_refusals.py``).

Serves the catalogue under gunicorn (one sync worker with gunicorn's default 30 s timeout;
SQLite, media in a local folder), uploads each file below and reports the answer, how long it
took, the worker's peak RSS above idle, and whether the worker was killed. The hostile files
should be refused (422) in milliseconds without growing the worker; the ordinary ones (a
100-megapixel scan, a photograph taken sideways, large PDFs) should be accepted.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.media_bench import (  # noqa: E402
    Sampler,
    rss_kib,
    wait_ready,
    worker_pid,
)
from tests import seaweed  # noqa: E402
from tests.media import samples  # noqa: E402


class Peak(Sampler):
    """The worker's peak RSS, kept when gunicorn kills it."""

    def run(self) -> None:
        with contextlib.suppress(OSError):
            super().run()


def current_worker(master: int) -> int:
    """The pid of the worker (waiting while gunicorn replaces a killed one)."""
    for _ in range(100):
        try:
            return worker_pid(master)
        except IndexError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn has no worker")


def make_files(folder: Path) -> dict[str, Path]:
    import pyvips

    files = {
        "PNG 20,000 x 20,000 of zeros (400 MP)": samples.png_zeros(
            folder / "zeros.png", 20_000, 20_000
        ),
        "JPEG 20,000 x 20,000, grey (400 MP)": samples.jpeg_zeros(
            folder / "grey.jpg", 20_000, 20_000
        ),
        "PNG 9,000 x 9,000 RGBA 16-bit interlaced (81 MP, 618 MiB whole)": samples.png_zeros(
            folder / "interlaced.png", 9_000, 9_000, bands=4, depth=16, interlaced=True
        ),
        "TIFF of 100,000 pages of 8 x 8": samples.tiff_pages(folder / "pages.tif", 100_000),
        "PDF of 20,000 pages": samples.pdf_pages(folder / "pages.pdf", 20_000),
        "PDF page of 14,400 x 14,400 points": samples.pdf_pages(
            folder / "poster.pdf", 1, 14_400, 14_400
        ),
        "TIFF scan 12,000 x 8,400 (100 MP, tiled JPEG)": samples.tiff(
            folder / "scan.tif", 12_000, 8_400
        ),
    }
    photo = folder / "portrait.jpg"
    ramp = pyvips.Image.xyz(6_000, 4_000)
    band = ((ramp[0] + ramp[1]) % 256).cast("uchar")
    image = band.bandjoin([band, band]).copy(interpretation="srgb")
    image.set_type(pyvips.GValue.gint_type, "orientation", 6)
    image.jpegsave(str(photo), Q=85)
    files["JPEG photograph 6,000 x 4,000 taken sideways (orientation 6)"] = photo
    return files


def post(port: int, path: str, token: str, file: Path) -> tuple[int | str, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file.name}"'
        "\r\nContent-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body = head + file.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            },
        )
        response = connection.getresponse()
        answer = json.loads(response.read() or b"{}")
        return response.status, str(answer.get("detail") or answer.get("width") or "")[:90]
    except (ConnectionError, http.client.HTTPException) as error:
        return "no answer", type(error).__name__
    finally:
        connection.close()


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="media-refusals-"))
    gunicorn = None
    try:
        env = {
            **os.environ,
            "CATALOGUE_INSTANCE": str(work / "instance"),
            "DATABASE_URL": f"sqlite:///{work / 'catalogue.db'}",
            "MEDIA_STORAGE": (work / "media").as_uri(),
            "SECRET_KEY": "benchmark",
        }
        catalogue = Path(sys.executable).parent / "catalogue"
        run = {"env": env, "check": True, "capture_output": True, "text": True}
        subprocess.run([catalogue, "db", "upgrade"], **run)
        subprocess.run([catalogue, "users", "create", "b@example.org", "--role", "curator"], **run)
        token = subprocess.run([catalogue, "tokens", "create", "b@example.org"], **run)
        token = token.stdout.strip()
        files = make_files(work)
        port = seaweed.free_port()
        gunicorn = subprocess.Popen(
            [Path(sys.executable).parent / "gunicorn", "--workers", "1"]
            + ["--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_ready(port)
        connection = http.client.HTTPConnection("127.0.0.1", port)
        record = {"object_number": "BENCH.1", "title": {"fr": "Banc"}, "status": "public"}
        connection.request(
            "POST",
            "/api/v1/objects",
            body=json.dumps(record),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        upload_path = f"/api/v1/objects/{json.loads(connection.getresponse().read())['id']}/media"
        connection.close()
        warm = work / "warm.png"
        samples.png_with_alpha(warm)
        post(port, upload_path, token, warm)  # imports and initialises everything
        rows = []
        for name, file in files.items():
            pid = current_worker(gunicorn.pid)
            time.sleep(0.5)
            idle = rss_kib(pid)
            sampler = Peak(pid)
            sampler.start()
            started = time.perf_counter()
            status, detail = post(port, upload_path, token, file)
            seconds = time.perf_counter() - started
            sampler.running = False
            sampler.join()
            time.sleep(1)
            killed = current_worker(gunicorn.pid) != pid
            rows.append(
                {
                    "file": name,
                    "MiB": round(file.stat().st_size / 2**20, 1),
                    "status": status,
                    "seconds": round(seconds, 2),
                    "peak_rss_above_idle_mib": round((sampler.peak - idle) / 1024, 1),
                    "worker_killed": killed,
                    "detail": detail,
                }
            )
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
        load = Path("/proc/loadavg").read_text().split()[:3]
        print(json.dumps({"cpus": os.cpu_count(), "load_average_after": load}))
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    main()
