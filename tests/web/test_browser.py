"""End to end in Debian's Chromium (driven by Playwright, never a downloaded browser).

The app is served by werkzeug on a free loopback port; one browser serves the whole run.
Screenshots of the main pages are written to tests/artifacts/.
"""

from __future__ import annotations

import re

from PIL import Image

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
