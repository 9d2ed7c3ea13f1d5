"""The pages hold typed text to the catalogue's rule and say why, keeping what was typed."""

from __future__ import annotations

import re

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject, User
from tests import helpers
from tests.web.conftest import make_authority, make_object, post_form
from tests.web.test_media import change, image, panel, upload

REFUSED = "may not contain U+"


def count(app, model) -> int:
    with app.app_context():
        found = db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()
        db.session.remove()
    return found


def test_the_object_form_shows_the_message_next_to_the_language(app, browser_for):
    browser = browser_for("curator")
    data = {
        "object_number": "2026.0201.001",
        "status": "public",
        "title.fr": "Fusée A4\uffff",
        "title.en": "A4 rocket",
        "description.en": "Launched from Wizernes",
    }
    response = post_form(browser, "/curate/objects/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="f-title-fr"[^>]*aria-invalid="true"', page)
    assert "U+FFFF" in page and REFUSED in page
    assert "Launched from Wizernes" in page  # the curator's text is kept
    assert count(app, CatalogueObject) == 0


def test_an_edit_with_refused_text_changes_nothing(app, browser_for):
    record = make_object(app, title={"fr": "Casque"})
    browser = browser_for("curator")
    path = f"/curate/objects/{record['id']}/edit"
    page = browser.get(path).get_data(as_text=True)
    etag = re.search(r'name="etag" value="([^"]+)"', page).group(1).replace("&#34;", '"')
    data = {"object_number": record["object_number"], "title.fr": "Casque\x00", "etag": etag}
    response = post_form(browser, path, data)
    assert response.status_code == 422
    assert re.search(r'id="f-title-fr"[^>]*aria-invalid="true"', response.get_data(as_text=True))
    assert browser.get(path).status_code == 200
    assert "Casque\x00" not in browser.get(path).get_data(as_text=True)


def test_the_vocabulary_form_shows_the_message(app, browser_for):
    browser = browser_for("curator")
    response = post_form(
        browser,
        "/curate/vocabularies/terms",
        {"vocabulary": "material", "label.fr": "Acier\ufdd0", "label.en": "Steel"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="f-label-fr"[^>]*aria-invalid="true"', page) and REFUSED in page


def test_the_movement_form_shows_the_message(app, browser_for):
    record = make_object(app)
    room = make_authority(app, "locations", kind="room", label={"fr": "Réserve 2"})
    browser = browser_for("curator")
    path = f"/curate/objects/{record['id']}/movements"
    response = post_form(browser, path, {"to_location": room["id"], "reason": "Prêt\uffff"})
    assert response.status_code == 422
    assert "U+FFFF" in response.get_data(as_text=True)


def test_a_caption_with_refused_text_is_refused_with_a_message(app, browser_for):
    record = make_object(app, status="public")
    browser = browser_for("curator")
    upload(browser, record, (image(), "one.png"))
    _, [(media_id, etag)] = panel(browser, record)
    page = change(browser, record, media_id, etag, action="save", caption_fr="Vue\ufffe")
    text = page.get_data(as_text=True)
    assert "Nothing was changed" in text and "caption.fr" in text and REFUSED in text
    assert panel(browser, record)[1] == [(media_id, etag)]


def test_a_user_name_with_refused_text_is_refused_with_a_message(app, browser_for):
    admin = browser_for("admin")
    before = count(app, User)
    response = post_form(
        admin,
        "/curate/users/",
        {"email": "new@museum.example", "role": "curator", "name": "Anne\x00Dupont"},
    )
    assert response.status_code == 422 and REFUSED in response.get_data(as_text=True)
    assert count(app, User) == before


def test_pages_show_text_stored_before_the_rule(app, client, browser_for):
    record = make_object(app, status="public")
    helpers.write_unchecked(app, record, title={"fr": "Fusée\uffff <A4>", "en": "Rocket\x0b"})
    page = client.get(f"/objects/{record['id']}", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "Fusée\uffff &lt;A4&gt;" in page.get_data(as_text=True)
    edit = browser_for("curator").get(f"/curate/objects/{record['id']}/edit")
    assert edit.status_code == 200
