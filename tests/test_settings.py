"""Settings the catalogue refuses to start with, and what production requires of them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from catalogue import create_app
from catalogue.config import ROOT, ConfigError
from catalogue.http.urls import absolute

PUBLIC = "https://collections.museum.example"


def settings(tmp_path, **overrides) -> dict:
    return {
        "TESTING": True,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'catalogue.db'}",
        "MEDIA_STORAGE": (tmp_path / "media").as_uri(),
        "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        "IMPORTS_DIR": str(tmp_path / "imports"),
        "MEDIA_CACHE_DIR": str(tmp_path / "media-cache"),
        **overrides,
    }


def test_production_needs_the_public_address_and_a_shared_secret_key(tmp_path):
    with pytest.raises(ConfigError) as refused:
        create_app(settings(tmp_path, CATALOGUE_ENV="production", SECRET_KEY=None))
    message = str(refused.value)
    assert "PUBLIC_BASE_URL" in message and "SECRET_KEY" in message
    with pytest.raises(ConfigError, match="needs PUBLIC_BASE_URL"):
        create_app(settings(tmp_path, CATALOGUE_ENV="production", SECRET_KEY="shared"))
    app = create_app(
        settings(tmp_path, CATALOGUE_ENV="production", SECRET_KEY="shared", PUBLIC_BASE_URL=PUBLIC)
    )
    with app.test_request_context("/oai", base_url="http://evil.example"):
        assert absolute("/oai") == f"{PUBLIC}/oai"


def test_development_takes_links_from_the_request_without_a_public_address(tmp_path):
    app = create_app(settings(tmp_path, SECRET_KEY="dev"))
    with app.test_request_context("/oai", base_url="http://127.0.0.1:5000"):
        assert absolute("/oai") == "http://127.0.0.1:5000/oai"


@pytest.mark.parametrize(
    "address",
    [
        "collections.museum.example",
        "ftp://collections.museum.example",
        "javascript:alert(1)",
        "https://collections.museum.example/?from=mail",
        "https://user@collections.museum.example",
        "https:///objects",
    ],
)
def test_a_malformed_public_address_is_refused_in_any_environment(tmp_path, address):
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL must be"):
        create_app(settings(tmp_path, SECRET_KEY="dev", PUBLIC_BASE_URL=address))


def test_an_unknown_environment_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="CATALOGUE_ENV must be"):
        create_app(settings(tmp_path, SECRET_KEY="dev", CATALOGUE_ENV="prod"))


def test_gunicorn_cannot_load_a_production_app_without_them(tmp_path):
    """What an operator sees: ``wsgi:app`` fails to load, saying what to set."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PUBLIC_BASE_URL", "SECRET_KEY", "CATALOGUE_ENV")
    }
    env.update(CATALOGUE_ENV="production", CATALOGUE_INSTANCE=str(tmp_path / "instance"))
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "CATALOGUE_ENV=production needs PUBLIC_BASE_URL" in result.stderr
    assert not (tmp_path / "instance").exists()  # nothing made: no secret key written


def test_the_search_backend_is_checked_at_start(tmp_path):
    with pytest.raises(ConfigError, match="SEARCH_BACKEND must be whoosh or postgresql"):
        create_app(settings(tmp_path, SECRET_KEY="dev", SEARCH_BACKEND="opensearch"))
    # PostgreSQL full-text search reads the catalogue database: SQLite cannot serve it.
    with pytest.raises(ConfigError, match="SEARCH_BACKEND=postgresql searches the catalogue"):
        create_app(settings(tmp_path, SECRET_KEY="dev", SEARCH_BACKEND="postgresql"))
    assert create_app(settings(tmp_path, SECRET_KEY="dev")).config["SEARCH_BACKEND"] == "whoosh"
    # A read replica for searches is read by the PostgreSQL backend only.
    with pytest.raises(ConfigError, match="SEARCH_DATABASE_URL names a PostgreSQL read replica"):
        create_app(
            settings(
                tmp_path, SECRET_KEY="dev", SEARCH_DATABASE_URL="postgresql://replica/catalogue"
            )
        )


def test_catalogue_refuses_to_start_postgresql_search_on_sqlite(tmp_path):
    """What an operator sees: the command fails at once, saying what to change."""
    env = {**os.environ, "CATALOGUE_INSTANCE": str(tmp_path / "instance")}
    env.update(
        SEARCH_BACKEND="postgresql",
        DATABASE_URL=f"sqlite:///{tmp_path / 'catalogue.db'}",
        SECRET_KEY="dev",
    )
    env.pop("CATALOGUE_ENV", None)
    result = subprocess.run(
        [sys.executable, "-c", "from catalogue import main; main()", "search", "sync"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SEARCH_BACKEND=postgresql searches the catalogue database" in result.stderr


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("ENTRY_NUMBER_PATTERN", "EN{year}"),
        ("EXIT_NUMBER_PATTERN", "EX{annee}.{seq}"),
        ("ACCESSION_NUMBER_PATTERN", "{year}.{seq:04d}"),
        ("AUDIT_NUMBER_PATTERN", "AU/{year}/{seq}"),
    ],
)
def test_a_number_pattern_that_cannot_number_is_refused(tmp_path, name, pattern):
    with pytest.raises(ConfigError, match=name):
        create_app(settings(tmp_path, SECRET_KEY="dev", **{name: pattern}))
