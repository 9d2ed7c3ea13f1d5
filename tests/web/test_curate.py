"""The curators' workspace: dashboard, object form, stale edits, publishing, history."""

from __future__ import annotations

import html
import re
import uuid

from werkzeug.datastructures import MultiDict

from catalogue.extensions import db
from catalogue.services.identity import SYSTEM
from catalogue.services.objects import read as objects_read
from tests.web.conftest import csrf_token, make_authority, make_object, post_form


def edit_form(browser, object_id) -> MultiDict:
    """The fields of the edit form as the browser would send them back unchanged."""
    page = browser.get(f"/curate/objects/{object_id}/edit").get_data(as_text=True)
    form = MultiDict()
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        form.add(name, html.unescape(value))
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        for value in re.findall(r'<option value="([^"]*)" selected>', body):
            form.add(name, html.unescape(value))
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        form.add(name, html.unescape(text))
    return form


def test_dashboard_counts_statuses_and_lists_recent_changes_and_drafts(app, browser_for):
    make_object(app, title={"fr": "Brouillon un"})
    make_object(app, title={"fr": "Public un"}, status="public")
    page = browser_for("curator").get("/curate/").get_data(as_text=True)
    assert "Brouillon un" in page and "Public un" in page
    counts = dict(re.findall(r"status-(\w+)\">[^<]*</span> <strong>(\d+)</strong>", page))
    assert counts == {"public": "1", "internal": "0", "draft": "1"}


def test_researchers_see_no_drafts_on_the_dashboard(app, browser_for):
    make_object(app, title={"fr": "Brouillon caché"})
    page = browser_for("researcher").get("/curate/").get_data(as_text=True)
    assert "Brouillon caché" not in page and "status-draft" not in page


def test_create_an_object_with_every_kind_of_field(app, browser_for):
    rocket = make_authority(app, "terms", vocabulary="object_type", label={"fr": "Fusée"})
    steel = make_authority(app, "terms", vocabulary="material", label={"fr": "acier"})
    maker = make_authority(app, "agents", kind="organisation", label={"fr": "Mittelwerk"})
    circuit = make_authority(app, "collections", label={"fr": "Armes secrètes"})
    browser = browser_for("curator")
    form = browser.get("/curate/objects/new").get_data(as_text=True)
    for name in ("title.fr", "title.en", "production.date.edtf", "dimensions.0.unit"):
        field_id = "f-" + name.replace(".", "-")
        assert f'<label for="{field_id}">' in form and f'id="{field_id}"' in form
    data = MultiDict(
        {
            "object_number": "2026.0100.001",
            "status": "draft",
            "object_type": rocket["id"],
            "title.fr": "Fusée V2",
            "title.en": "V2 rocket",
            "description.fr": "Une fusée.",
            "production.date.edtf": "1943-10/1944-07",
            "production.makers.0.agent": maker["id"],
            "production.makers.0.role": "fabricant",
            "materials": steel["id"],
            "collections": circuit["id"],
            "dimensions.0.type": "height",
            "dimensions.0.value": "14",
            "dimensions.0.unit": "m",
            "inscriptions.0.text": "A4",
            "inscriptions.0.type": "stencil",
            "valuation.amount": "1250000",
            "valuation.currency": "EUR",
            "internal_notes": "Réserve B",
        }
    )
    response = post_form(browser, "/curate/objects/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = browser.get(response.location).get_data(as_text=True)
    assert "Fusée V2" in page and "V2 rocket" in page and "Mittelwerk" in page
    assert "1943-10-01" in page and "1944-07-31" in page and "14.0 m" in page
    with app.app_context():
        record = objects_read.get_by_number(SYSTEM, "2026.0100.001").data
        db.session.remove()
    assert record["title"] == {"fr": "Fusée V2", "en": "V2 rocket"}
    assert record["materials"][0]["id"] == steel["id"]
    assert record["valuation"] == {"amount": "1250000.00", "currency": "EUR", "date": None}


def test_validation_errors_appear_next_to_the_field_and_keep_the_text(browser_for):
    browser = browser_for("curator")
    data = {
        "object_number": "2026.0101.001",
        "description.fr": "Texte long que le conservateur ne veut pas perdre",
        "production.date.edtf": "vers 1944",
        "dimensions.0.type": "height",
        "dimensions.0.value": "3",
        "dimensions.0.unit": "kg",
    }
    response = post_form(browser, "/curate/objects/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Texte long que le conservateur ne veut pas perdre" in page
    assert re.search(r'id="f-production-date-edtf"[^>]*aria-invalid="true"', page)
    assert "is not a valid EDTF date" in page
    assert "A height is measured in one of" in page
    assert "Give a title in at least one language" in page or "Missing data" in page


def test_an_unchanged_edit_makes_no_new_version(app, browser_for):
    place = make_authority(app, "places", label={"fr": "Wizernes"})
    record = make_object(
        app,
        associated_places=[{"id": place["id"]}],
        dimensions=[{"type": "width", "value": 2.5, "unit": "m"}],
        production={"date": {"edtf": "1944~"}},
    )
    browser = browser_for("curator")
    response = browser.post(
        f"/curate/objects/{record['id']}/edit", data=edit_form(browser, record["id"])
    )
    assert response.status_code == 302
    with app.app_context():
        assert objects_read.get(SYSTEM, uuid.UUID(record["id"])).data["version"] == 1
        db.session.remove()


def test_a_stale_edit_is_refused_and_keeps_both_texts(app, browser_for):
    record = make_object(app, title={"fr": "Titre d'origine"})
    mine = edit_form(browser_for("curator"), record["id"])
    other = browser_for("curator2")
    theirs = edit_form(other, record["id"])
    theirs["title.fr"] = "Titre du premier conservateur"
    assert other.post(f"/curate/objects/{record['id']}/edit", data=theirs).status_code == 302

    mine["title.fr"] = "Ma longue correction"
    mine["related_objects.0.relation"] = "related"  # a browser sends the select's first choice
    second = browser_for("curator")
    mine["csrf_token"] = csrf_token(second, "/curate/")
    response = second.post(f"/curate/objects/{record['id']}/edit", data=mine)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this record" in page
    assert 'value="Ma longue correction"' in page
    assert "Titre du premier conservateur" in page  # shown as what is saved now
    conflict = page[page.index('id="conflict"') : page.index("</div>", page.index('id="conflict"'))]
    assert "title.fr" in conflict and "related_objects" not in conflict
    with app.app_context():
        assert objects_read.get(SYSTEM, uuid.UUID(record["id"])).data["title"]["fr"] == (
            "Titre du premier conservateur"
        )
        db.session.remove()


def test_publish_makes_the_object_public(app, client, browser_for):
    steel = make_authority(app, "terms", vocabulary="material", label={"fr": "acier"})
    record = make_object(app, title={"fr": "À publier"}, materials=[{"id": steel["id"]}])
    assert client.get(f"/objects/{record['id']}").status_code == 404
    browser = browser_for("curator")
    page = browser.get(f"/curate/objects/{record['id']}").get_data(as_text=True)
    etag = re.search(r'name="etag" value="([^"]+)"', page).group(1)
    response = post_form(
        browser,
        f"/curate/objects/{record['id']}/status",
        {"status": "public", "etag": etag.replace("&#34;", '"')},
        token_from="/curate/",
    )
    assert response.status_code == 302
    assert client.get(f"/objects/{record['id']}").status_code == 200


def test_publish_with_a_stale_tag_changes_nothing(app, browser_for):
    record = make_object(app)
    browser = browser_for("curator")
    post_form(
        browser,
        f"/curate/objects/{record['id']}/status",
        {"status": "public", "etag": '"stale"'},
        token_from="/curate/",
    )
    page = browser.get(f"/curate/objects/{record['id']}").get_data(as_text=True)
    assert "nothing was changed" in page and "status-draft" in page


def test_history_lists_versions_shows_a_diff_and_restores(app, browser_for):
    record = make_object(app, title={"fr": "Avant"})
    browser = browser_for("curator")
    form = edit_form(browser, record["id"])
    form["title.fr"] = "Après"
    assert browser.post(f"/curate/objects/{record['id']}/edit", data=form).status_code == 302
    history = browser.get(f"/curate/objects/{record['id']}/history").get_data(as_text=True)
    assert "Restore version 1" in history and "title" in history
    diff = browser.get(f"/curate/objects/{record['id']}/history/diff?a=1&b=2")
    text = diff.get_data(as_text=True)
    assert "<del>Avant</del>" in text and "<ins>Après</ins>" in text
    etag = re.search(r'name="etag" value="([^"]+)"', history).group(1).replace("&#34;", '"')
    response = post_form(
        browser,
        f"/curate/objects/{record['id']}/history/1/restore",
        {"etag": etag},
        token_from="/curate/",
    )
    assert response.status_code == 302
    with app.app_context():
        data = objects_read.get(SYSTEM, uuid.UUID(record["id"])).data
        db.session.remove()
    assert data["title"]["fr"] == "Avant" and data["version"] == 3


def test_record_a_movement_and_a_condition_check(app, browser_for):
    record = make_object(app)
    room = make_authority(app, "locations", kind="room", label={"fr": "Réserve 2"})
    browser = browser_for("curator")
    path = f"/curate/objects/{record['id']}/movements"
    moved = post_form(browser, path, {"to_location": room["id"], "reason": "Exposition"})
    assert moved.status_code == 302
    checked = post_form(
        browser,
        f"/curate/objects/{record['id']}/condition-checks",
        {"condition": "fair", "notes": "Rouille légère"},
        token_from=path,
    )
    assert checked.status_code == 302
    page = browser.get(path).get_data(as_text=True)
    assert "Réserve 2" in page and "Exposition" in page and "Rouille légère" in page
    wrong = post_form(
        browser,
        f"/curate/objects/{record['id']}/condition-checks",
        {"condition": "splendid"},
        token_from=path,
    )
    assert wrong.status_code == 422


def test_edtf_hint_gives_the_derived_range(browser_for):
    browser = browser_for("curator")
    assert browser.get("/curate/edtf?value=1944").get_json() == {
        "earliest": "1944-01-01",
        "latest": "1944-12-31",
    }
    assert "error" in browser.get("/curate/edtf?value=autumn").get_json()


def test_workspace_search_finds_drafts_for_curators(app, browser_for):
    make_object(app, title={"fr": "Masque à gaz"})
    page = browser_for("curator").get("/curate/search?q=masque").get_data(as_text=True)
    assert "Masque à gaz" in page


def test_workspace_search_follows_the_callers_visibility_and_status(app, browser_for):
    make_object(app, title={"fr": "Obus brouillon"}, status="draft")
    make_object(app, title={"fr": "Obus interne"}, status="internal")
    curator = browser_for("curator").get("/curate/search?q=obus&status=draft")
    assert "Obus brouillon" in curator.get_data(as_text=True)
    assert "Obus interne" not in curator.get_data(as_text=True)
    researcher = browser_for("researcher").get("/curate/search?q=obus").get_data(as_text=True)
    assert "Obus interne" in researcher and "Obus brouillon" not in researcher
