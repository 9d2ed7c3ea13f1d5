"""What the catalogue answers about its records, recorded so that a change of storage can be
proved to change no answer.

``build`` loads the demo collection and imports records with long French and English
descriptions, staff-only fields, texts that need escaping and links to records some callers
may not see. ``collect`` then asks every read channel for every record as each kind of caller:
objects by id and by number, lists, exports, search, versions, OAI-PMH lists and records.
Each answer is reduced to a digest of its body with the values that differ between two builds
(ids, times) replaced by placeholders in order of appearance, and the headers that matter.

``storage_answers.json`` holds the digests the catalogue gave, on SQLite and on PostgreSQL.
They were first recorded before the stored views and payloads were compressed, and the
compressed storage answered every one of them byte for byte; they are recorded again, with
the same command, only when a change alters answers on purpose (a new field, new demo
records), so that any other change of an answer fails the test. Each backend's are printed by

    .venv/bin/python -m tests.services.objects.answers [postgresql+psycopg://.../empty_db]
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
import sys
import tempfile
from pathlib import Path

from catalogue import demo
from catalogue.extensions import db
from catalogue.services.accounts import users as accounts
from catalogue.services.exchange import imports
from catalogue.services.identity import SYSTEM

RECORDED = Path(__file__).with_name("storage_answers.json")
ROLES = ("anonymous", "researcher", "curator")
UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIME = re.compile(rb"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)?")
TOKEN = re.compile(rb"(<resumptionToken[^>]*>)[^<]*(</resumptionToken>)")
WORDS_FR = [
    "fusée",
    "béton",
    "ouvrière",
    "«",
    "rampe",
    "»",
    "coupole",
    "déporté",
    "l'usine",
    "à",
    "gaz",
    "œuvre",
    "naïve",
]
WORDS_EN = [
    "rocket",
    "concrete",
    "worker",
    '"ramp"',
    "dome",
    "deportee",
    "<factory>",
    "&",
    "gas",
    "works",
    "naive",
]


def _prose(rng: random.Random, words: list[str], count: int) -> str:
    return " ".join(rng.choice(words) for _ in range(count)).capitalize() + "."


def write_rows(path: Path, count: int = 24, seed: int = 1944) -> None:
    rng = random.Random(seed)
    header = ["object_number", "status", "title_fr", "title_en", "description_fr"]
    header += ["description_en", "object_type", "date", "maker", "place", "internal_notes"]
    header += ["acquisition_source", "acquisition_source_contact", "valuation_amount"]
    header += ["valuation_currency", "related_objects", "credit_line_fr"]
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(header)
        for n in range(count):
            status = ("public", "public", "internal", "draft")[n % 4]
            # Public records linked to an internal one (researchers see the link, the public
            # not) and to a public one.
            related = {0: f"2050.{n - 2:03d}", 1: f"2050.{n - 1:03d}"}.get(n % 4) if n > 1 else ""
            writer.writerow(
                [
                    f"2050.{n:03d}",
                    status,
                    _prose(rng, WORDS_FR, 4),
                    _prose(rng, WORDS_EN, 4),
                    _prose(rng, WORDS_FR, 110) + " 🚀 \u00a0fin",
                    _prose(rng, WORDS_EN, 110),
                    rng.choice(["Affiche", "Casque", "Photographie"]),
                    str(rng.randint(1939, 1945)),
                    rng.choice(["Atelier Dupont", "Mittelwerk GmbH"]),
                    rng.choice(["Wizernes", "Éperlecques"]),
                    'Note interne <confidentielle> & "privée"' if n % 2 else "",
                    "Famille Martin" if n % 5 == 0 else "",
                    "martin@example.org" if n % 5 == 0 else "",
                    f"{100 + n}.50" if n % 4 == 1 else "",
                    "EUR" if n % 4 == 1 else "",
                    related,
                    "Don de la famille Martin" if n % 6 == 0 else "",
                ]
            )


def build(folder: Path) -> dict[str, dict]:
    """Load the records (in an app context); returns the headers of each kind of caller."""
    demo.load(SYSTEM)
    source = folder / "answers.csv"
    write_rows(source)
    report = imports.import_objects(SYSTEM, source, imports.Options(create_authorities=True))
    assert report.failed == 0, report.errors[:3]
    headers = {"anonymous": {}}
    for role in ("researcher", "curator"):
        email = f"{role}@answers.example"
        accounts.create_user(SYSTEM, email, role)
        headers[role] = {"Authorization": f"Bearer {accounts.create_token(SYSTEM, email)}"}
    db.session.commit()
    return headers


class Digest:
    """Answers reduced to what two builds of the same records have in common."""

    def __init__(self) -> None:
        self.names: dict[bytes, bytes] = {}
        self.answers: dict[str, dict] = {}

    def _placeholder(self, match: re.Match) -> bytes:
        return self.names.setdefault(match[0], b"<id%d>" % len(self.names))

    def add(self, key: str, response, facets: bool = True) -> None:
        body = response.get_data()
        if not facets:  # facets of equal counts come in the order of their (random) ids
            data = response.get_json()
            data.pop("facets")
            body = json.dumps(data, ensure_ascii=False).encode()
        entry = {"status": response.status_code, "type": response.headers.get("Content-Type")}
        etag = response.headers.get("ETag")
        if etag is not None:
            # The entity tag is the digest of the text sent, so it is unchanged when the text is.
            entry["etag_of_body"] = etag == '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        entry["last_modified"] = "Last-Modified" in response.headers
        body = TOKEN.sub(rb"\1<token>\2", body)
        body = TIME.sub(b"<time>", UUID.sub(self._placeholder, body))
        entry["length"] = len(body)
        entry["sha256"] = hashlib.sha256(body).hexdigest()
        if entry["type"] == "application/json":
            # The data whatever the order of keys (PostgreSQL's JSONB keeps none).
            data = json.dumps(json.loads(body), sort_keys=True).encode()
            entry["data_sha256"] = hashlib.sha256(data).hexdigest()
        self.answers[key] = entry


def _pages(client, path: str, headers: dict) -> list:
    """Every page of a JSON list, following ``next`` links."""
    responses = []
    while path:
        response = client.get(path, headers=headers)
        responses.append(response)
        path = (response.get_json() or {}).get("links", {}).get("next")
    return responses


def _harvest(client, prefix: str) -> list:
    responses, path = [], f"/oai?verb=ListRecords&metadataPrefix={prefix}"
    while path:
        response = client.get(path)
        responses.append(response)
        token = re.search(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>", response.data)
        path = f"/oai?verb=ListRecords&resumptionToken={token[1].decode()}" if token else None
    return responses


def collect(client, headers: dict[str, dict]) -> dict[str, dict]:
    digest = Digest()
    everything = _pages(client, "/api/v1/objects?per_page=100", headers["curator"])
    records = sorted(
        (item for page in everything for item in page.get_json()["items"]),
        key=lambda item: item["object_number"],
    )
    for role in ROLES:
        caller = headers[role]
        for n, response in enumerate(_pages(client, "/api/v1/objects?per_page=7", caller)):
            digest.add(f"{role} list page {n + 1}", response)
        for item in records:
            number = item["object_number"]
            digest.add(
                f"{role} {number}", client.get(f"/api/v1/objects/{item['id']}", headers=caller)
            )
            by_number = client.get(f"/api/v1/objects/by-number/{number}", headers=caller)
            digest.add(f"{role} {number} by number", by_number)
        for fmt in ("jsonl", "csv"):
            digest.add(
                f"{role} export {fmt}", client.get(f"/api/v1/exports/objects.{fmt}", headers=caller)
            )
        for query in ("fusée", "rocket", "béton", "V2"):
            path = f"/api/v1/search?q={query}&per_page=50&sort=object_number"
            search = client.get(path, headers=caller)
            digest.add(f"{role} search {query}", search, facets=False)
    for item in records:
        path = f"/api/v1/objects/{item['id']}/versions"
        digest.add(
            f"versions {item['object_number']}", client.get(path, headers=headers["curator"])
        )
        first = client.get(f"{path}/1", headers=headers["curator"])
        digest.add(f"version 1 {item['object_number']}", first)
    for prefix in ("oai_dc", "lido"):
        for n, response in enumerate(_harvest(client, prefix)):
            digest.add(f"oai ListRecords {prefix} page {n + 1}", response)
        for item in records:
            identifier = f"oai:catalogue.example.org:{item['id']}"
            path = f"/oai?verb=GetRecord&metadataPrefix={prefix}&identifier={identifier}"
            digest.add(f"oai GetRecord {prefix} {item['object_number']}", client.get(path))
    return digest.answers


def main() -> None:
    """Record on SQLite, or on the (empty) database whose URL is the first argument."""
    from flask_migrate import upgrade

    from catalogue import create_app

    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "answers",
                "DATABASE_URL": sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{base / 'db'}",
                "MEDIA_STORAGE": (base / "media").as_uri(),
                "SEARCH_INDEX_DIR": str(base / "index"),
                "IMPORTS_DIR": str(base / "imports"),
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            upgrade()
            headers = build(base)
            db.session.remove()
        with app.test_client() as client:
            answers = collect(client, headers)
    json.dump(answers, sys.stdout, indent=1, sort_keys=True, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
