"""Media benchmark (run on purpose: ``.venv/bin/python benchmarks/media_bench.py``; not a test).

Starts SeaweedFS and the catalogue under gunicorn (one sync worker) against it, then reports:

1. peak RSS of the server worker while uploading a 1 GiB file through the API, above idle
   (target: under 64 MiB);
2. upload throughput through the API against boto3 writing the same file straight to the
   same SeaweedFS (target: 0.7x or better);
3. p50 time of a 512 px IIIF tile from a 10,000 x 10,000 master (target: under 100 ms).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import seaweed  # noqa: E402

GIB = 1024**3
BUCKET = "benchmark"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


class Sampler(threading.Thread):
    """Polls a process's resident memory every few milliseconds and keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.005)


def make_big_file(path: Path, size: int) -> None:
    """A PDF-signed file of random bytes (random so nothing on the way can compress it)."""
    with open(path, "wb") as out:
        out.write(b"%PDF-1.7\n")
        written = 9
        block = os.urandom(8 * 1024 * 1024)
        while written < size:
            chunk = block[: size - written]
            out.write(chunk)
            written += len(chunk)


def post_file(port: int, path: str, token: str, file: Path, content_type: str) -> dict:
    """Stream a multipart upload from disk (the client never holds the file in memory)."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file.name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    connection.putrequest("POST", path)
    connection.putheader("Authorization", f"Bearer {token}")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + file.stat().st_size + len(tail)))
    connection.endheaders()
    connection.send(head)
    with open(file, "rb") as source:
        while chunk := source.read(1024 * 1024):
            connection.send(chunk)
    connection.send(tail)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 201:
        raise RuntimeError(f"upload failed: {response.status} {body[:500]!r}")
    return json.loads(body)


def get(port: int, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
    return body


def wait_ready(port: int, seconds: float = 60) -> None:
    """Wait until the server on ``port`` answers /readyz with 200."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            get(port, "/readyz")
            return
        except (OSError, RuntimeError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="media-bench-"))
    server = seaweed.start(work / "seaweedfs")
    gunicorn = None
    try:
        seaweed.create_bucket(server, BUCKET)
        env = {
            **os.environ,
            "CATALOGUE_INSTANCE": str(work / "instance"),
            "DATABASE_URL": f"sqlite:///{work / 'catalogue.db'}",
            "MEDIA_STORAGE": f"s3://{BUCKET}/catalogue",
            "S3_ENDPOINT_URL": server.endpoint,
            "MEDIA_CACHE_DIR": str(work / "cache"),
            "AWS_ACCESS_KEY_ID": seaweed.ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": seaweed.SECRET_KEY,
            "AWS_DEFAULT_REGION": "us-east-1",
            "SECRET_KEY": "benchmark",
        }
        bin_dir = Path(sys.executable).parent
        subprocess.run(
            [bin_dir / "catalogue", "db", "upgrade"], env=env, check=True, capture_output=True
        )
        subprocess.run(
            [
                bin_dir / "catalogue",
                "users",
                "create",
                "bench@example.org",
                "--role",
                "curator",
                "--password",
                "benchmark-password",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        token = subprocess.run(
            [bin_dir / "catalogue", "tokens", "create", "bench@example.org"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        port = seaweed.free_port()
        gunicorn = subprocess.Popen(
            [
                bin_dir / "gunicorn",
                "--workers",
                "1",
                "--timeout",
                "3600",
                "--bind",
                f"127.0.0.1:{port}",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_ready(port)
        connection = http.client.HTTPConnection("127.0.0.1", port)
        connection.request(
            "POST",
            "/api/v1/objects",
            body=json.dumps(
                {"object_number": "BENCH.1", "title": {"fr": "Banc"}, "status": "public"}
            ),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        object_id = json.loads(connection.getresponse().read())["id"]
        connection.close()
        upload_path = f"/api/v1/objects/{object_id}/media"

        # Warm the worker (first upload imports and initialises everything), then measure idle.
        small = work / "small.pdf"
        make_big_file(small, 1024 * 1024)
        post_file(port, upload_path, token, small, "application/pdf")
        pid = worker_pid(gunicorn.pid)
        time.sleep(1)
        idle = rss_kib(pid)

        big = work / "big.pdf"
        make_big_file(big, GIB)
        sampler = Sampler(pid)
        sampler.start()
        started = time.perf_counter()
        post_file(port, upload_path, token, big, "application/pdf")
        api_seconds = time.perf_counter() - started
        sampler.running = False
        sampler.join()

        client = server.client()
        started = time.perf_counter()
        client.upload_file(str(big), BUCKET, "direct/big.pdf")
        boto_seconds = time.perf_counter() - started
        big.unlink()

        import pyvips

        master = work / "master.tif"
        ramp = pyvips.Image.xyz(10_000, 10_000)
        band = ((ramp[0] * 3 + ramp[1] * 7) % 256).cast("uchar")
        band.bandjoin([band.rot180(), band.fliphor()]).copy(interpretation="srgb").tiffsave(
            str(master), compression="jpeg", tile=True, Q=90
        )
        media = post_file(port, upload_path, token, master, "image/tiff")
        base = f"/iiif/3/{media['id']}"
        get(port, f"{base}/info.json")
        get(port, f"{base}/0,0,512,512/512,/0/default.jpg")  # fetches the pyramid into the cache
        rng = random.Random(1)
        timings = []
        for _ in range(100):
            x, y = rng.randrange(0, 19) * 512, rng.randrange(0, 19) * 512
            started = time.perf_counter()
            get(port, f"{base}/{x},{y},512,512/512,/0/default.jpg")
            timings.append((time.perf_counter() - started) * 1000)

        mib = GIB / 1024**2
        report = {
            "cpus": os.cpu_count(),
            "upload_1gib_peak_rss_above_idle_mib": round((sampler.peak - idle) / 1024, 1),
            "worker_idle_rss_mib": round(idle / 1024, 1),
            "api_upload_seconds": round(api_seconds, 2),
            "api_upload_mib_per_s": round(mib / api_seconds, 1),
            "boto3_upload_seconds": round(boto_seconds, 2),
            "boto3_upload_mib_per_s": round(mib / boto_seconds, 1),
            "api_vs_boto3_throughput": round(boto_seconds / api_seconds, 2),
            "iiif_tile_512_p50_ms": round(statistics.median(timings), 1),
            "iiif_tile_512_p90_ms": round(statistics.quantiles(timings, n=10)[-1], 1),
        }
        print(json.dumps(report, indent=2))
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        server.stop()
        subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    main()
