"""Admins manage users; staff manage vocabularies."""

from __future__ import annotations

import re

from catalogue.extensions import db
from catalogue.services.accounts import users as accounts
from tests.web.conftest import make_authority, make_object, post_form, sign_in


def test_admin_creates_a_user_who_can_then_sign_in(app, browser_for):
    admin = browser_for("admin")
    response = post_form(
        admin,
        "/curate/users/",
        {"email": "new.curator@museum.example", "role": "curator", "password": "a long passphrase"},
    )
    assert response.status_code == 302
    assert "new.curator@museum.example" in admin.get("/curate/users/").get_data(as_text=True)
    assert (
        sign_in(app.test_client(), "new.curator@museum.example", "a long passphrase").status_code
        == 302
    )


def test_user_form_errors_are_shown(browser_for):
    admin = browser_for("admin")
    response = post_form(
        admin,
        "/curate/users/",
        {"email": "short@museum.example", "role": "curator", "password": "x"},
    )
    assert response.status_code == 422
    assert "at least 12 characters" in response.get_data(as_text=True)


def test_admin_changes_a_role_and_deactivates(app, browser_for, people):
    admin = browser_for("admin")
    with app.app_context():
        user_id = accounts.find_user(people["curator2"]).id
        db.session.remove()
    assert f"/curate/users/{user_id}" in admin.get("/curate/users/").get_data(as_text=True)
    path = f"/curate/users/{user_id}"
    post_form(admin, path, {"role": "researcher"}, token_from="/curate/users/")
    assert browser_for("curator2").get("/curate/objects/new").status_code == 403
    post_form(admin, path, {"role": "researcher", "active": "0"}, token_from="/curate/users/")
    assert sign_in(app.test_client(), people["curator2"]).status_code == 401


def test_only_admins_manage_users(browser_for):
    curator = browser_for("curator")
    assert curator.get("/curate/users/").status_code == 403
    response = post_form(
        curator,
        "/curate/users/",
        {"email": "x@museum.example", "role": "admin", "password": "a long passphrase"},
        token_from="/curate/",
    )
    assert response.status_code == 403


def test_vocabulary_entries_are_added_edited_and_deleted(app, browser_for):
    curator = browser_for("curator")
    response = post_form(
        curator,
        "/curate/vocabularies/terms",
        {"label.fr": "laiton", "label.en": "brass", "vocabulary": "material"},
    )
    assert response.status_code == 302
    page = curator.get("/curate/vocabularies/terms?q=laiton").get_data(as_text=True)
    item = re.search(r"/curate/vocabularies/terms/([0-9a-f-]{36})", page).group(1)
    edit = curator.get(f"/curate/vocabularies/terms/{item}").get_data(as_text=True)
    etag = re.search(r'name="etag" value="([^"]+)"', edit).group(1).replace("&#34;", '"')
    saved = post_form(
        curator,
        f"/curate/vocabularies/terms/{item}",
        {"label.fr": "laiton", "label.en": "yellow brass", "vocabulary": "material", "etag": etag},
    )
    assert saved.status_code == 302
    assert "yellow brass" in curator.get("/curate/vocabularies/terms").get_data(as_text=True)
    stale = post_form(
        curator,
        f"/curate/vocabularies/terms/{item}/delete",
        {"etag": etag},
        token_from="/curate/vocabularies/terms",
    )
    assert stale.status_code == 302
    assert "yellow brass" in curator.get("/curate/vocabularies/terms").get_data(as_text=True)
    edit = curator.get(f"/curate/vocabularies/terms/{item}").get_data(as_text=True)
    etag = re.search(r'name="etag" value="([^"]+)"', edit).group(1).replace("&#34;", '"')
    post_form(
        curator,
        f"/curate/vocabularies/terms/{item}/delete",
        {"etag": etag},
        token_from="/curate/vocabularies/terms",
    )
    assert "brass" not in curator.get("/curate/vocabularies/terms").get_data(as_text=True)


def test_a_term_in_use_is_not_deleted(app, browser_for):
    term = make_authority(app, "terms", vocabulary="material", label={"fr": "bois"})
    make_object(app, materials=[{"id": term["id"]}])
    curator = browser_for("curator")
    edit = curator.get(f"/curate/vocabularies/terms/{term['id']}").get_data(as_text=True)
    etag = re.search(r'name="etag" value="([^"]+)"', edit).group(1).replace("&#34;", '"')
    response = post_form(
        curator,
        f"/curate/vocabularies/terms/{term['id']}/delete",
        {"etag": etag},
        token_from="/curate/vocabularies/terms",
    )
    page = curator.get(response.location).get_data(as_text=True)
    assert "still in use" in page


def test_vocabulary_validation_errors_are_shown(browser_for):
    curator = browser_for("curator")
    response = post_form(
        curator, "/curate/vocabularies/places", {"label.fr": "", "label.en": "", "latitude": "91"}
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "label" in text and 'aria-invalid="true"' in text


def test_unknown_vocabulary_is_a_404_page(browser_for):
    response = browser_for("curator").get("/curate/vocabularies/spells")
    assert response.status_code == 404 and response.mimetype == "text/html"
