"""The media storage fixtures of ``tests/media``: each test runs on a folder and on S3."""

from tests.media.conftest import seaweedfs, storage_kind, store  # noqa: F401 (fixtures)
