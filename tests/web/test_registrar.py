"""The registrar's pages: a deposit entered, accessioned, audited by taps, deaccessioned."""

from __future__ import annotations

import re
import uuid

from werkzeug.datastructures import MultiDict

from catalogue.extensions import db
from catalogue.services.identity import SYSTEM
from catalogue.services.objects import locations
from tests.web.conftest import make_authority, make_object, post_form

ETAG = re.compile(r'name="etag" value="([^"]+)"')


def _transition(browser, path: str, procedure_id: str, to: str, **extra):
    page = browser.get(f"/curate/registrar/{path}/{procedure_id}").get_data(as_text=True)
    assert f'name="to" value="{to}"' in page, page
    etag = ETAG.search(page).group(1).replace("&#34;", '"')
    data = {"to": to, "etag": etag, **extra}
    return post_form(
        browser,
        f"/curate/registrar/{path}/{procedure_id}/transition",
        data,
        token_from=f"/curate/registrar/{path}/{procedure_id}",
    )


def _created_id(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rstrip("/").rsplit("/", 1)[1]


def test_a_deposit_goes_from_the_door_to_the_inventory_and_out_again(app, browser_for):
    family = make_authority(app, "agents", kind="person", label={"fr": "Famille Roussel"})
    store = make_authority(app, "locations", kind="room", label={"fr": "Réserve B"})
    browser = browser_for("curator")
    menu = browser.get("/curate/registrar/").get_data(as_text=True)
    assert "Object entries" in menu and "Inventory audits" in menu

    response = post_form(
        browser,
        "/curate/registrar/entries/new",
        {
            "reason": "acquisition-consideration",
            "depositor": family["id"],
            "entry_date": "2026-05-04",
            "condition": "Bon état",
            "objects": "+ Photographie de la rue",
        },
    )
    entry_id = _created_id(response)
    entry_page = browser.get(f"/curate/registrar/entries/{entry_id}").get_data(as_text=True)
    number = re.search(r"TMP-(EN\d{4}\.\d{3})-1", entry_page).group(0)
    assert "Famille Roussel" in entry_page and "receipt.pdf" in entry_page
    receipt = browser.get(f"/curate/registrar/entries/{entry_id}/receipt.pdf")
    assert receipt.mimetype == "application/pdf" and receipt.data.startswith(b"%PDF-")

    response = post_form(
        browser,
        "/curate/registrar/acquisitions/new",
        {"method": "gift", "source": family["id"], "objects": number},
    )
    acquisition_id = _created_id(response)
    assert _transition(browser, "acquisitions", acquisition_id, "approved").status_code == 302
    assert _transition(browser, "acquisitions", acquisition_id, "accessioned").status_code == 302
    page = browser.get(f"/curate/registrar/acquisitions/{acquisition_id}").get_data(as_text=True)
    accession = re.search(r">(\d{4}\.0001\.001)</a>", page).group(1)
    object_id = re.search(r'href="/curate/objects/([0-9a-f-]+)"', page).group(1)

    with app.app_context():
        locations.record_movement(
            SYSTEM, uuid.UUID(object_id), {"to_location": uuid.UUID(store["id"])}
        )
        db.session.remove()
    response = post_form(
        browser, "/curate/registrar/audits/new", MultiDict([("locations", store["id"])])
    )
    audit_id = _created_id(response)
    audit_page = f"/curate/registrar/audits/{audit_id}"
    page = browser.get(audit_page).get_data(as_text=True)
    assert accession in page
    tapped = post_form(
        browser,
        f"/curate/registrar/audits/{audit_id}/item",
        {"object": object_id, "result": "found"},
        token_from=audit_page,
    )
    assert tapped.status_code == 302
    assert "<strong>found</strong>" in browser.get(audit_page).get_data(as_text=True)
    assert _transition(browser, "audits", audit_id, "completed").status_code == 302

    response = post_form(
        browser, "/curate/registrar/exits/new", {"reason": "deaccession", "objects": accession}
    )
    exit_id = _created_id(response)
    page = browser.get(f"/curate/registrar/exits/{exit_id}").get_data(as_text=True)
    assert 'value="completed"' not in page  # a deaccession waits for its approval
    assert _transition(browser, "exits", exit_id, "approved").status_code == 302
    assert _transition(browser, "exits", exit_id, "completed").status_code == 302

    object_page = browser.get(f"/curate/objects/{object_id}").get_data(as_text=True)
    biography = object_page.split("Biography", 1)[1]
    steps = re.findall(r"· (entry|acquisition|movement|audit|exit)\b", biography)
    assert steps == ["entry", "acquisition", "movement", "audit", "exit"]
    assert "deaccessioned" in biography
    assert app.test_client().get(f"/objects/{object_id}").status_code == 404


def test_researchers_have_no_registrar_pages(app, browser_for):
    browser = browser_for("researcher")
    assert browser.get("/curate/registrar/").status_code == 403
    assert browser.get("/curate/registrar/entries").status_code == 403


def test_a_form_with_an_unknown_object_number_keeps_what_was_typed(app, browser_for):
    make_object(app, title={"fr": "Casque"})
    browser = browser_for("curator")
    response = post_form(
        browser,
        "/curate/registrar/exits/new",
        {"reason": "loss", "objects": "NOPE-1", "notes": "Perdu au transport"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "No object numbered NOPE-1." in page and "Perdu au transport" in page
