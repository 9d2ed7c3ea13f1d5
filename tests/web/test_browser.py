"""End to end in Debian's Chromium (driven by Playwright, never a downloaded browser).

The app is served by werkzeug on a free loopback port; one browser serves the whole run.
Screenshots of the main pages are written to tests/artifacts/.
"""

from __future__ import annotations

import re
import uuid

from PIL import Image

from catalogue.extensions import db
from catalogue.services.identity import SYSTEM
from catalogue.services.objects import locations
from catalogue.services.objects import read as objects_read
from catalogue.services.objects import write as objects_write
from tests.web.browsing import E2E as pytestmark  # noqa: F401
from tests.web.browsing import expect, shot
from tests.web.conftest import PASSWORD, make_authority, make_object


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/curate/")


def test_a_curator_publishes_an_object_and_a_visitor_finds_it(
    app, people, open_page, backend, tmp_path
):
    make_authority(app, "terms", vocabulary="material", label={"fr": "acier", "en": "steel"})
    circuit = make_authority(
        app, "collections", label={"fr": "Les armes secrètes", "en": "The secret weapons"}
    )
    curator = open_page()
    sign_in(curator, people["curator"])
    shot(curator, "dashboard", backend)

    curator.goto("/curate/objects/new")
    curator.get_by_label("Accession number", exact=True).fill("2026.0500.001")
    curator.locator("#f-title-fr").fill("Fusée V2 de démonstration")
    curator.locator("#f-title-en").fill("Demonstration V2 rocket")
    curator.get_by_label("Date (EDTF)").fill("1943-10/1944-07")
    # The range the EDTF date allows is shown while typing.
    expect(curator.locator("#edtf-range")).to_contain_text("1943-10-01 – 1944-07-31")
    # Type-ahead over the JSON API picks the material in the plain select list.
    curator.locator("#f-materials-find").fill("aci")
    curator.get_by_role("button", name="steel").wait_for()
    curator.keyboard.press("ArrowDown")
    curator.keyboard.press("Enter")
    expect(curator.locator("#f-materials option:checked")).to_have_text(["steel"])
    curator.get_by_label("Collections", exact=True).select_option(circuit["id"])
    shot(curator, "object-form", backend)
    curator.get_by_role("button", name="Save").click()
    curator.wait_for_url(re.compile(r".*/curate/objects/[0-9a-f-]{36}$"))
    assert "Demonstration V2 rocket" in curator.content()
    assert "steel" in curator.content()
    # An image sent with a progress bar (the script reloads the page once it is in).
    picture = tmp_path / "rocket.png"
    Image.new("RGB", (300, 200), (90, 110, 60)).save(picture)
    curator.locator("#media-files").set_input_files(str(picture))
    curator.get_by_role("button", name="Upload").click()
    expect(curator.locator(".media-item img")).to_have_count(1)
    expect(curator.locator(".media-list")).to_contain_text("Primary image")
    # The workspace search finds the draft.
    curator.goto("/curate/search")
    curator.get_by_label("Search the collection").fill("demonstration rocket")
    curator.get_by_role("button", name="Search", exact=True).click()
    expect(curator.locator(".highlight mark").first).to_be_visible()
    curator.get_by_role("link", name="Demonstration V2 rocket").click()
    curator.get_by_role("button", name="Publish").click()
    curator.wait_for_selector(".status-public")
    shot(curator, "curate-object", backend)

    visitor = open_page(locale="fr-FR", width=390, height=844)
    visitor.goto("/")
    shot(visitor, "home-phone", backend)
    visitor.get_by_role("link", name="Les armes secrètes").click()
    visitor.get_by_role("link", name="Fusée V2 de démonstration").wait_for()
    visitor.goto("/")
    visitor.get_by_label("Rechercher dans la collection").fill("fusée v2")
    visitor.get_by_role("button", name="Rechercher").click()
    shot(visitor, "search-phone", backend)
    visitor.get_by_role("link", name="Fusée V2 de démonstration").click()
    visitor.get_by_role("heading", name="Fusée V2 de démonstration").wait_for()
    assert "Citer cet objet" in visitor.content()
    image = visitor.locator(".viewer-still")  # the IIIF still; zooming opens the viewer
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    shot(visitor, "object-phone", backend)
    visitor.get_by_role("link", name="English").click()
    visitor.get_by_role("heading", name="Demonstration V2 rocket").wait_for()
    assert "Cite this object" in visitor.content()


def test_a_stale_edit_is_refused_and_the_first_change_is_kept(app, people, open_page, backend):
    record = make_object(app, title={"fr": "Casque allemand", "en": "German helmet"})
    first, second = open_page(), open_page()
    sign_in(first, people["curator"])
    sign_in(second, people["curator2"])
    first.goto(f"/curate/objects/{record['id']}/edit")
    second.goto(f"/curate/objects/{record['id']}/edit")

    first.locator("#f-title-en").fill("German steel helmet M35")
    first.get_by_role("button", name="Save").click()
    first.wait_for_url(re.compile(r".*/curate/objects/[0-9a-f-]{36}$"))

    second.locator("#f-description-fr").fill("Casque modèle 1935 trouvé à Wizernes.")
    second.get_by_role("button", name="Save").click()
    second.get_by_role("heading", name="Someone else saved this record").wait_for()
    assert second.locator("#f-description-fr").input_value() == (
        "Casque modèle 1935 trouvé à Wizernes."
    )
    shot(second, "stale-edit", backend)

    first.goto(f"/curate/objects/{record['id']}")
    assert "German steel helmet M35" in first.content()
    assert "Wizernes" not in first.content()
    first.get_by_role("link", name="History").click()
    first.get_by_role("button", name="Compare").click()
    expect(first.locator("table.diff ins")).to_contain_text(["German steel helmet M35"])
    shot(first, "history-diff", backend)


def test_a_researcher_builds_a_private_set_from_a_search_and_shares_it(
    app, people, open_page, backend
):
    for letter in "AB":
        make_object(app, title={"fr": f"Rampe {letter}", "en": f"Ramp {letter}"}, status="public")
    researcher = open_page()
    sign_in(researcher, people["researcher"])
    researcher.goto("/curate/search?q=rampe")
    researcher.get_by_label("Set", exact=True).select_option("new")
    researcher.get_by_label("Name of the new set").fill("Les rampes de lancement")
    researcher.get_by_role("button", name="Add all 2 results").click()
    researcher.wait_for_url(re.compile(r".*/my/sets/[0-9a-f-]{36}$"))
    members = researcher.locator(".set-members > li")
    expect(members).to_have_count(2)
    expect(researcher.locator(".meta")).to_contain_text("Private")
    first = members.first.locator("a").first.inner_text()
    researcher.get_by_role("button", name=f"Move down: {first}").click()
    expect(researcher.locator(".set-members > li").last.locator("a").first).to_have_text(first)
    researcher.locator(".set-members > li").first.get_by_label("Note").fill("À comparer")
    researcher.locator(".set-members > li").first.get_by_role(
        "button", name="Save the note"
    ).click()
    expect(researcher.locator(".flash")).to_contain_text("Note saved.")
    researcher.get_by_label("Shared: everyone signed in").check()
    researcher.get_by_role("button", name="Save", exact=True).click()
    expect(researcher.locator(".meta")).to_contain_text("Shared")
    shot(researcher, "set", backend)

    curator = open_page()
    sign_in(curator, people["curator"])
    curator.goto("/my/sets")
    curator.get_by_role("link", name="Les rampes de lancement").click()
    expect(curator.locator(".set-members > li")).to_have_count(2)
    expect(curator.locator(".note").first).to_have_text("À comparer")
    assert "Delete the set" not in curator.content()


# ---- the registrar: a deposit accessioned, audited, deaccessioned ------------------------


def _publish_and_place(app, object_id: str, location_id: str) -> None:
    with app.app_context():
        record = objects_read.get(SYSTEM, uuid.UUID(object_id))
        objects_write.patch(SYSTEM, uuid.UUID(object_id), {"status": "public"}, record.etag)
        locations.record_movement(
            SYSTEM, uuid.UUID(object_id), {"to_location": uuid.UUID(location_id)}
        )
        db.session.remove()


def test_a_deposit_is_accessioned_audited_and_deaccessioned(app, people, open_page, live_server):
    family = make_authority(app, "agents", kind="person", label={"fr": "Famille Caron"})
    store = make_authority(app, "locations", kind="room", label={"fr": "Réserve C"})
    page = open_page()
    sign_in(page, people["curator"])

    page.get_by_role("link", name="Registrar").first.click()
    page.get_by_role("link", name="New", exact=True).first.click()
    page.get_by_label("reason", exact=True).select_option("acquisition-consideration")
    page.get_by_label("depositor", exact=True).select_option(family["id"])
    page.get_by_label("Objects").fill("+ Photographie du bunker")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("EN")
    temporary = re.search(r"TMP-EN\d{4}\.\d{3}-1", page.content()).group(0)

    page.goto("/curate/registrar/acquisitions/new")
    page.get_by_label("method", exact=True).select_option("gift")
    page.get_by_label("source", exact=True).select_option(family["id"])
    page.get_by_label("Objects").fill(temporary)
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Mark as approved").click()
    page.get_by_role("button", name="Mark as accessioned").click()
    expect(page.locator("h1")).to_contain_text("accessioned")
    link = page.locator("article.procedure li a[href^='/curate/objects/']").first
    accession = link.inner_text()
    assert re.fullmatch(r"\d{4}\.0001\.001", accession)
    object_id = link.get_attribute("href").rsplit("/", 1)[1]

    _publish_and_place(app, object_id, store["id"])
    visitor = open_page()
    assert visitor.goto(f"/objects/{object_id}").status == 200

    page.goto("/curate/registrar/audits/new")
    page.get_by_label("locations", exact=True).select_option(store["id"])
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="found", exact=True).click()
    expect(page.locator("ul.audit")).to_contain_text("found")
    page.get_by_role("button", name="Mark as completed").click()

    page.goto("/curate/registrar/exits/new")
    page.get_by_label("reason", exact=True).select_option("deaccession")
    page.get_by_label("Objects").fill(accession)
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("button", name="Mark as completed").count() == 0
    page.get_by_role("button", name="Mark as approved").click()
    page.get_by_role("button", name="Mark as completed").click()
    expect(page.locator("h1")).to_contain_text("completed")

    assert visitor.goto(f"/objects/{object_id}").status == 404
    page.goto(f"/curate/objects/{object_id}")
    biography = page.locator("section.biography")
    expect(biography).to_contain_text("deaccessioned")
    steps = re.findall(r"· (entry|acquisition|movement|audit|exit)\b", biography.inner_text())
    assert steps == ["entry", "acquisition", "movement", "audit", "exit"]
