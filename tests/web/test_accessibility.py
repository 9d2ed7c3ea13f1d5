"""Every page type, public and workspace, in French and English: no WCAG 2.1 A or AA violation
that axe-core finds, and screenshots at desktop and phone widths for people to look at.

axe-core is installed from the npm registry (package-lock.json, ``make vendor``) and injected
into each page in Debian's Chromium. Screenshots go to tests/artifacts/screenshots/, which CI
keeps (git-ignored).
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from PIL import Image

from catalogue.extensions import db
from catalogue.services.identity import SYSTEM
from tests.web.browsing import ARTIFACTS
from tests.web.browsing import E2E as pytestmark  # noqa: F401
from tests.web.conftest import PASSWORD, make_authority, make_object

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ARTIFACTS / "screenshots"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
LOCALES = {"fr": "fr-FR", "en": "en-GB"}


@pytest.fixture
def catalogue(app, people, tmp_path):
    """A small catalogue with every kind of record a page shows."""
    from catalogue.services.media import uploads
    from catalogue.services.objects import locations
    from media.checksums import sha256_of_file

    maker = make_authority(
        app,
        "agents",
        kind="person",
        label={"fr": "Photographe non identifié", "en": "Unidentified photographer"},
        uri="http://www.wikidata.org/entity/Q4233718",
    )
    place = make_authority(
        app, "places", label={"fr": "Wizernes"}, latitude=50.711, longitude=2.236
    )
    tour = make_authority(app, "collections", label={"fr": "Circuit", "en": "Tour"})
    room = make_authority(app, "locations", label={"fr": "Réserve 1"}, kind="room")
    record = make_object(
        app,
        status="public",
        title={"fr": "Chantier de la coupole", "en": "Dome construction site"},
        description={"fr": "Vue générale du chantier.", "en": "General view of the site."},
        production={
            "date": {"edtf": "1944-03/1944-07", "display": "mars – juillet 1944"},
            "place": {"id": place["id"]},
            "makers": [{"agent": {"id": maker["id"]}, "role": "photographe"}],
        },
        collections=[{"id": tour["id"]}],
        rights={"uri": "http://creativecommons.org/licenses/by/4.0/"},
    )
    for colour in ("steelblue", "sienna"):
        path = tmp_path / f"{colour}.jpg"
        Image.new("RGB", (1200, 800), colour).save(path, "JPEG")
        sha256, size = sha256_of_file(path)
        with app.app_context():
            uploads.upload(
                SYSTEM,
                uuid.UUID(record["id"]),
                uploads.Upload(path, sha256, size, path.name),
                {"caption": f"Vue {colour}"},
            )
            db.session.remove()
    with app.app_context():
        locations.record_movement(
            SYSTEM, uuid.UUID(record["id"]), {"to_location": uuid.UUID(room["id"])}
        )
        db.session.remove()
    return {"object": record, "agent": maker, "place": place}


def sign_in(page, email: str, lang: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/curate/")


def check(page, path: str, name: str, lang: str, backend: str) -> list[str]:
    """Open ``path`` at each width, take screenshots, run axe at desktop width."""
    problems = []
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(path)
        # Pages with a map are judged once it has drawn itself.
        page.wait_for_function(
            "[...document.querySelectorAll('#map')]"
            ".every(e => e.dataset.ready || e.closest('details:not([open])'))"
        )
        if name == "object":  # the deep-zoom viewer, opened, is judged too
            page.get_by_role("button", name=re.compile("Zoom|Zoom avant")).first.click()
            page.wait_for_selector(".viewer[data-ready='true'] canvas")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{lang}-{size}.png"), full_page=True)
        if size != "desktop" and backend != "sqlite":
            continue  # one browser's judgement per page and language is enough
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
        )
        for violation in result["violations"]:
            targets = [", ".join(node["target"]) for node in violation["nodes"]][:3]
            problems.append(f"{name} ({lang}, {size}): {violation['id']}: {targets}")
    assert page.locator("html").get_attribute("lang") == lang
    return problems


def test_every_page_type_passes_axe_in_both_languages(app, people, catalogue, open_page, backend):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make vendor` (npm ci) first.")
    record, agent, place = catalogue["object"], catalogue["agent"], catalogue["place"]
    hidden = make_object(app, status="draft", title={"fr": "Brouillon"})
    public_pages = {
        "home": "/",
        "search": "/search?q=chantier",
        "search-empty": "/search?q=zzzyyyxxx",
        "object": f"/objects/{record['id']}",
        "agent": f"/agents/{agent['id']}",
        "place": f"/places/{place['id']}",
        "login": "/login",
        "not-found": f"/objects/{hidden['id']}",
    }
    workspace_pages = {
        "dashboard": "/curate/",
        "curate-search": "/curate/search?q=chantier",
        "curate-object": f"/curate/objects/{record['id']}",
        "object-form": "/curate/objects/new",
        "edit-form": f"/curate/objects/{record['id']}/edit",
        "history": f"/curate/objects/{record['id']}/history",
        "diff": f"/curate/objects/{record['id']}/history/diff?a=1&b=1",
        "movements": f"/curate/objects/{record['id']}/movements",
        "users": "/curate/users/",
        "vocabularies": "/curate/vocabularies/terms",
    }
    problems = []
    for lang, locale in LOCALES.items():
        visitor = open_page(locale=locale, bypass_csp=True)
        visitor.route(re.compile(r"https://tile\.openstreetmap\.org/.*"), lambda r: r.abort())
        for name, path in public_pages.items():
            problems += check(visitor, path, name, lang, backend)
        admin = open_page(locale=locale, bypass_csp=True)
        sign_in(admin, people["admin"], lang)
        for name, path in workspace_pages.items():
            problems += check(admin, path, name, lang, backend)
    assert problems == []
    # The same check does see a violation: an image without a text alternative.
    visitor.goto("/")
    visitor.evaluate("document.querySelector('main').append(document.createElement('img'))")
    visitor.add_script_tag(path=str(AXE))
    found = visitor.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    assert [v["id"] for v in found["violations"]] == ["image-alt"]
    shots = {p.name for p in SCREENSHOTS.glob("*.png")}
    for name in (*public_pages, *workspace_pages):
        for lang in LOCALES:
            for size in SIZES:
                assert f"{name}-{lang}-{size}.png" in shots
