"""Every setting, with its embedded default and what it does.

Defaults make the service run with no environment at all (SQLite and files under
``instance/``); environment variables override them; ``create_app(test_config)``
overrides both.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("CATALOGUE_INSTANCE", ROOT / "instance"))


def _secret_key() -> str:
    """A key kept in instance/ so sessions survive restarts when SECRET_KEY is not set."""
    path = INSTANCE / "secret_key"
    if path.exists():
        return path.read_text().strip()
    INSTANCE.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class ConfigError(RuntimeError):
    """Settings the catalogue cannot start with; the message says which and what to do."""


def defaults() -> dict:
    """Settings with embedded defaults, overridden by the environment."""
    env = os.environ.get
    return {
        # "production" refuses to start without what every node must share (PUBLIC_BASE_URL,
        # SECRET_KEY); "development", the default, takes links from the request's host.
        "CATALOGUE_ENV": env("CATALOGUE_ENV", "development"),
        # Signs session cookies and CSRF tokens; generated once into instance/ when unset.
        "SECRET_KEY": env("SECRET_KEY") or None,
        # SQLAlchemy URL of the catalogue database; postgresql+psycopg://... in production.
        "DATABASE_URL": env("DATABASE_URL", f"sqlite:///{INSTANCE / 'catalogue.db'}"),
        # Where media files live: file:///path or s3://bucket/prefix.
        "MEDIA_STORAGE": env("MEDIA_STORAGE", (INSTANCE / "media").as_uri()),
        # Endpoint of an S3-compatible server (SeaweedFS, MinIO...); empty for AWS S3.
        "S3_ENDPOINT_URL": env("S3_ENDPOINT_URL") or None,
        # What answers searches: "whoosh" (an index per node, in SEARCH_INDEX_DIR) or
        # "postgresql" (full-text search in the catalogue database, no index per node).
        "SEARCH_BACKEND": env("SEARCH_BACKEND", "whoosh"),
        # SEARCH_BACKEND=postgresql: the database searches read, a read replica of the
        # catalogue database (empty: the catalogue database itself).
        "SEARCH_DATABASE_URL": env("SEARCH_DATABASE_URL") or None,
        # Directory of the Whoosh full-text index.
        "SEARCH_INDEX_DIR": env("SEARCH_INDEX_DIR", str(INSTANCE / "search-index")),
        # Who applies the change log to this node's index: "inline" (the request that wrote,
        # before it answers: `catalogue run` and the tests) or "process" (the node's follower,
        # `catalogue search follow`, which gunicorn.conf.py starts; set there by default).
        "SEARCH_FOLLOW": env("SEARCH_FOLLOW", "inline"),
        # How often, in seconds, the follower looks at the log when nothing woke it (SQLite;
        # on PostgreSQL a commit wakes it at once and this is a safety net).
        "SEARCH_FOLLOW_POLL_SECONDS": float(env("SEARCH_FOLLOW_POLL_SECONDS") or 5),
        # How often a follower commits the index (what a killed follower may have to redo).
        "SEARCH_FOLLOW_COMMIT_SECONDS": float(env("SEARCH_FOLLOW_COMMIT_SECONDS") or 1),
        # /readyz answers 503 while the index is more changes, or seconds, behind the log.
        "SEARCH_MAX_LAG_CHANGES": _int("SEARCH_MAX_LAG_CHANGES", 1000),
        "SEARCH_MAX_LAG_SECONDS": _int("SEARCH_MAX_LAG_SECONDS", 60),
        # Who runs background jobs (imports committed through the API...): "thread", a thread
        # of the process that serves (catalogue run: nothing else to start), or "process",
        # only `catalogue worker` processes (gunicorn.conf.py starts one per node).
        "BACKGROUND_RUN": env("BACKGROUND_RUN", "thread"),
        # Attempts of a job before it is "failed"; the wait before retry n is
        # BACKGROUND_RETRY_SECONDS * 2**(n-1).
        "BACKGROUND_MAX_ATTEMPTS": _int("BACKGROUND_MAX_ATTEMPTS", 5),
        "BACKGROUND_RETRY_SECONDS": float(env("BACKGROUND_RETRY_SECONDS") or 10),
        # A running job whose worker has not said it is alive for this long is another
        # worker's to finish (the worker was killed).
        "BACKGROUND_LEASE_SECONDS": float(env("BACKGROUND_LEASE_SECONDS") or 60),
        # How often an idle worker looks for jobs (SQLite; PostgreSQL wakes it on each defer).
        "BACKGROUND_POLL_SECONDS": float(env("BACKGROUND_POLL_SECONDS") or 1),
        # Language a plain-string text is stored under, and the fallback for ?lang=.
        "DEFAULT_LANGUAGE": env("DEFAULT_LANGUAGE", "fr"),
        # Largest media upload in bytes (2 GiB).
        "MAX_UPLOAD_BYTES": _int("MAX_UPLOAD_BYTES", 2 * 1024**3),
        # Local copies of IIIF pyramids when media live in S3 (rebuilt on demand), per node.
        "MEDIA_CACHE_DIR": env("MEDIA_CACHE_DIR", str(INSTANCE / "media-cache")),
        # Most bytes those copies may take; the least recently used go first (10 GiB).
        "MEDIA_CACHE_MAX_BYTES": _int("MEDIA_CACHE_MAX_BYTES", 10 * 1024**3),
        # Seconds between sweeps removing the copies of media deleted or changed on any node.
        "MEDIA_CACHE_SWEEP_SECONDS": _int("MEDIA_CACHE_SWEEP_SECONDS", 60),
        # Images declaring more pixels than this are refused as decompression bombs.
        "MEDIA_MAX_PIXELS": _int("MEDIA_MAX_PIXELS", 1_000_000_000),
        # Most pixels an image may have to be decoded during a request (an upload, an import
        # through the API); more is a 422. 250 MP took 4 to 15 s on 2 busy cores.
        "MEDIA_MAX_DECODE_PIXELS": _int("MEDIA_MAX_DECODE_PIXELS", 250_000_000),
        # Most bytes an image that libvips decodes whole (interlaced PNG, progressive JPEG,
        # WebP, turned by its EXIF orientation) may hold during a request; more is a 422.
        "MEDIA_MAX_DECODE_MEMORY": _int("MEDIA_MAX_DECODE_MEMORY", 512 * 1024**2),
        # Lifetime in seconds of the presigned URLs that /content redirects to (S3).
        "MEDIA_URL_SECONDS": _int("MEDIA_URL_SECONDS", 300),
        # Largest JSON request body in bytes (1 MiB).
        "MAX_JSON_BYTES": _int("MAX_JSON_BYTES", 1024**2),
        # Longest URL (path and query, as sent) in bytes; longer ones are refused with 414.
        # Keep it below the request line the server reads (gunicorn.conf.py: 8,190 bytes).
        "MAX_URL_BYTES": _int("MAX_URL_BYTES", 8000),
        # Local working folders of import checks and commits (each removed when it ends); the
        # uploaded files themselves are kept in the media storage, which every node reads.
        "IMPORTS_DIR": env("IMPORTS_DIR", str(INSTANCE / "imports")),
        # Seconds a checked import may wait for its commit before it expires (7 days).
        "IMPORT_KEEP_SECONDS": _int("IMPORT_KEEP_SECONDS", 7 * 24 * 3600),
        # What a .zip sent to POST /api/v1/imports may unpack to, in all.
        "MAX_IMPORT_UNPACKED_BYTES": _int("MAX_IMPORT_UNPACKED_BYTES", 8 * 1024**3),
        # Repository identifier in OAI-PMH identifiers (oai:{this}:{object id}).
        "OAI_REPOSITORY_IDENTIFIER": env("OAI_REPOSITORY_IDENTIFIER", "catalogue.example.org"),
        # Records per OAI-PMH list response; a resumption token fetches the next ones.
        "OAI_PAGE_SIZE": _int("OAI_PAGE_SIZE", 200),
        # Contact address published by OAI-PMH Identify.
        "OAI_ADMIN_EMAIL": env("OAI_ADMIN_EMAIL", "collections@catalogue.example.org"),
        # Public base URL of every absolute link (IIIF, OAI-PMH, sitemaps, list pages); when
        # set, the Host header of a request never reaches a link. Required in production.
        "PUBLIC_BASE_URL": env("PUBLIC_BASE_URL") or None,
        # Name of the institution, shown in records' provenance and feeds.
        "INSTITUTION_NAME": env("INSTITUTION_NAME", "La Coupole, Centre d'Histoire et de Mémoire"),
        # Reference numbers of procedures when none is given, per kind: {year} and {seq}
        # (a counter per kind and year, never reused), e.g. EN2026.001.
        "ENTRY_NUMBER_PATTERN": env("ENTRY_NUMBER_PATTERN", "EN{year}.{seq:03d}"),
        "ACQUISITION_NUMBER_PATTERN": env("ACQUISITION_NUMBER_PATTERN", "AC{year}.{seq:03d}"),
        "AUDIT_NUMBER_PATTERN": env("AUDIT_NUMBER_PATTERN", "AU{year}.{seq:03d}"),
        "EXIT_NUMBER_PATTERN": env("EXIT_NUMBER_PATTERN", "EX{year}.{seq:03d}"),
        # Accession numbers given when an acquisition is accessioned: {year}, {seq} (a counter
        # of accessioned acquisitions per year) and {item} (the object's place in it).
        "ACCESSION_NUMBER_PATTERN": env("ACCESSION_NUMBER_PATTERN", "{year}.{seq:04d}.{item:03d}"),
        # Object numbers starting with this are temporary (objects arriving with an entry);
        # accessioning replaces them with accession numbers.
        "TEMPORARY_NUMBER_PREFIX": env("TEMPORARY_NUMBER_PREFIX", "TMP-"),
        # Send the session cookie over HTTPS only; set to 1 behind TLS in production.
        "SESSION_COOKIE_SECURE": env("SESSION_COOKIE_SECURE", "0").lower() in ("1", "true", "yes"),
        # Languages of the web pages; the first is used when the browser asks for none of them.
        "WEB_LANGUAGES": ["fr", "en"],
        # A page session ends after this many seconds without a request (0: never idle out).
        "SESSION_IDLE_SECONDS": _int("SESSION_IDLE_SECONDS", 12 * 3600),
        # ... and this many seconds after signing in, however much it is used (0: no limit).
        "SESSION_MAX_SECONDS": _int("SESSION_MAX_SECONDS", 7 * 24 * 3600),
        # API rate limits (429 past them); counted in the catalogue database unless told.
        "RATELIMIT_ENABLED": env("RATELIMIT_ENABLED", "1").lower() in ("1", "true", "yes"),
        # Where requests are counted: database:// (shared by every worker and host) or
        # redis://host:6379/0 (needs the redis package: pip install 'catalogue[redis]').
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI", "database://"),
        # Requests of an anonymous caller, per client address ("600/minute;20/second" works too).
        "RATELIMIT_ANONYMOUS": env("RATELIMIT_ANONYMOUS", "600/minute"),
        # Requests per API token of a researcher.
        "RATELIMIT_TOKEN": env("RATELIMIT_TOKEN", "1200/minute"),
        # Requests per API token of a curator or an admin.
        "RATELIMIT_STAFF": env("RATELIMIT_STAFF", "6000/minute"),
        # Reverse proxies in front whose X-Forwarded-For is trusted for the client's address
        # (API rate limits, sign-in throttling); 0 takes the address of the connection.
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        # Failed sign-ins (per email and address) allowed before each further try must wait.
        "SIGN_IN_FREE_FAILURES": _int("SIGN_IN_FREE_FAILURES", 5),
        # The first wait in seconds; it doubles with every further failure.
        "SIGN_IN_BLOCK_SECONDS": _int("SIGN_IN_BLOCK_SECONDS", 30),
        # The longest wait in seconds, and how long quiet clears the count.
        "SIGN_IN_MAX_BLOCK_SECONDS": _int("SIGN_IN_MAX_BLOCK_SECONDS", 15 * 60),
    }


SEARCH_BACKENDS = ("whoosh", "postgresql")


def _is_postgresql(url: str | None) -> bool:
    return bool(url) and url.split(":", 1)[0].split("+", 1)[0] in ("postgresql", "postgres")


def check(config: dict) -> None:
    """Refuse settings the catalogue must not run with (``ConfigError`` lists them all)."""
    problems = []
    environment = config.get("CATALOGUE_ENV") or "development"
    if environment not in ("development", "production"):
        problems.append(f"CATALOGUE_ENV must be development or production, not {environment!r}.")
    base = config.get("PUBLIC_BASE_URL")
    if base:
        parts = urlsplit(base)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.username
            or parts.query
            or parts.fragment
        ):
            problems.append(
                "PUBLIC_BASE_URL must be the http(s) address the public uses, such as "
                f"https://collections.museum.example (a path may follow), not {base!r}."
            )
    search_backend = config.get("SEARCH_BACKEND") or "whoosh"
    if search_backend not in SEARCH_BACKENDS:
        problems.append(f"SEARCH_BACKEND must be whoosh or postgresql, not {search_backend!r}.")
    elif search_backend == "postgresql" and not _is_postgresql(config.get("DATABASE_URL")):
        problems.append(
            "SEARCH_BACKEND=postgresql searches the catalogue database, which must then be "
            "PostgreSQL (DATABASE_URL=postgresql+psycopg://...); with another database use "
            "SEARCH_BACKEND=whoosh."
        )
    replica = config.get("SEARCH_DATABASE_URL")
    if replica and (search_backend != "postgresql" or not _is_postgresql(replica)):
        problems.append(
            "SEARCH_DATABASE_URL names a PostgreSQL read replica of the catalogue database "
            "(postgresql+psycopg://...), read by SEARCH_BACKEND=postgresql only."
        )
    if environment == "production":
        if not base:
            problems.append(
                "CATALOGUE_ENV=production needs PUBLIC_BASE_URL, the address the public uses "
                "(https://collections.museum.example): every node then writes the same "
                "absolute links, whatever Host header a request carries."
            )
        if not config.get("SECRET_KEY"):
            problems.append(
                "CATALOGUE_ENV=production needs SECRET_KEY, the same on every node: a web "
                "session or form signed by one node must be accepted by the others."
            )
    problems += _number_pattern_problems(config)
    if problems:
        raise ConfigError("The catalogue cannot start:\n- " + "\n- ".join(problems))


NUMBER_PATTERNS = {
    "ENTRY_NUMBER_PATTERN": ("year", "seq"),
    "ACQUISITION_NUMBER_PATTERN": ("year", "seq"),
    "AUDIT_NUMBER_PATTERN": ("year", "seq"),
    "EXIT_NUMBER_PATTERN": ("year", "seq"),
    "ACCESSION_NUMBER_PATTERN": ("year", "seq", "item"),
}


def _number_pattern_problems(config: dict) -> list[str]:
    """Each number pattern formats, and gives a new number for each counter value."""
    problems = []
    for name, fields in NUMBER_PATTERNS.items():
        pattern = config.get(name)
        if pattern is None:
            continue
        try:
            first = pattern.format(**dict.fromkeys(fields, 1))
            second = pattern.format(**{**dict.fromkeys(fields, 1), fields[-1]: 2})
        except (KeyError, IndexError, ValueError) as error:
            problems.append(f"{name} cannot be used ({error!r}); use {{year}}, {{seq}} ...")
            continue
        if first == second or not first or "/" in first or len(first) > 90:
            problems.append(
                f"{name} must hold {{{fields[-1]}}} and give numbers of up to 90 characters "
                f"without '/', not {pattern!r}."
            )
    return problems


def finalise(config: dict) -> dict:
    """Check the catalogue's settings, and derive Flask and extension settings from them."""
    check(config)
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _secret_key()
    if config["BACKGROUND_RUN"] not in ("thread", "process"):
        raise ValueError(
            f"BACKGROUND_RUN is 'thread' or 'process', not {config['BACKGROUND_RUN']!r}."
        )
    if config["SEARCH_FOLLOW"] not in ("inline", "process"):
        raise ValueError(
            f"SEARCH_FOLLOW is 'inline' or 'process', not {config['SEARCH_FOLLOW']!r}."
        )
    url = config["DATABASE_URL"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    config["SQLALCHEMY_DATABASE_URI"] = url
    replica = config.get("SEARCH_DATABASE_URL")
    if replica and replica.startswith("postgresql://"):
        config["SEARCH_DATABASE_URL"] = "postgresql+psycopg://" + replica.removeprefix(
            "postgresql://"
        )
    config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS",
        {
            # A server may drop idle connections; a file database cannot.
            "pool_pre_ping": not url.startswith("sqlite"),
            # Store text as UTF-8, not \u escapes, so SQLite's LIKE and dumps read naturally.
            "json_serializer": lambda value: json.dumps(value, ensure_ascii=False),
        },
    )
    config["MAX_CONTENT_LENGTH"] = config["MAX_UPLOAD_BYTES"]
    # Web sessions: cookies scripts cannot read, not sent on cross-site subrequests.
    config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    # The browser keeps the cookie as long as the server keeps the session (31 days at most).
    lifetime = config["SESSION_IDLE_SECONDS"] or config["SESSION_MAX_SECONDS"] or 31 * 24 * 3600
    config.setdefault("PERMANENT_SESSION_LIFETIME", lifetime)
    # CSRF is checked by the web blueprints only; the JSON API uses bearer tokens.
    config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    config.setdefault("BABEL_DEFAULT_LOCALE", config["WEB_LANGUAGES"][0])
    # flask-smorest and the OpenAPI document.
    config.update(
        API_TITLE="Museum catalogue API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_SORT_KEYS=False,
    )
    return config
