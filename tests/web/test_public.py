"""The public collection: only public records, public fields, escaped text, two languages."""

from __future__ import annotations

from tests.web.conftest import make_authority, make_object

SCRIPT = "<script>alert(1)</script>"


def test_home_offers_search_and_the_collections(app, client):
    make_authority(app, "collections", label={"fr": "Les armes secrètes", "en": "Secret weapons"})
    page = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert 'role="search"' in page and '<label for="q">' in page
    assert "Les armes secrètes" in page


def test_search_lists_public_objects_only(app, client):
    make_object(app, title={"fr": "Fusée publique"}, status="public")
    make_object(app, title={"fr": "Fusée interne"}, status="internal")
    make_object(app, title={"fr": "Fusée brouillon"}, status="draft")
    page = client.get("/search?q=fusée").get_data(as_text=True)
    assert "Fusée publique" in page
    assert "interne" not in page and "brouillon" not in page


def test_a_collection_link_lists_its_objects(app, client):
    circuit = make_authority(app, "collections", label={"fr": "Circuit", "en": "Tour"})
    make_object(
        app, title={"fr": "Dans le circuit"}, status="public", collections=[{"id": circuit["id"]}]
    )
    make_object(app, title={"fr": "Hors circuit"}, status="public")
    page = client.get(f"/search?collection={circuit['id']}").get_data(as_text=True)
    assert "Dans le circuit" in page and "Hors circuit" not in page


def test_a_malformed_filter_is_a_clear_400_page(client):
    response = client.get("/search?collection=not-an-id")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "not a valid filter" in response.get_data(as_text=True)


def test_object_page_shows_public_fields_citation_and_links(app, client):
    record = make_object(
        app,
        status="public",
        title={"fr": "Fusée A4", "en": "A4 rocket"},
        production={"date": {"edtf": "1944"}},
        internal_notes="Clé de la réserve sous le pot de fleurs",
        valuation={"amount": "1250000.00", "currency": "EUR"},
        acquisition={"method": "don", "source_contact": "06 12 34 56 78"},
    )
    response = client.get(f"/objects/{record['id']}", headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A4 rocket" in page and "1944-01-01" in page and "don" in page
    assert "pot de fleurs" not in page and "1250000" not in page and "06 12 34" not in page
    assert f"http://localhost/objects/{record['id']}" in page
    assert f"/iiif/3/objects/{record['id']}/manifest" in page
    assert f"/linked-art/objects/{record['id']}" in page


def test_permanent_url_uses_the_public_base_url(app, client):
    record = make_object(app, status="public")
    app.config["PUBLIC_BASE_URL"] = "https://collections.example.org/"
    try:
        page = client.get(f"/objects/{record['id']}").get_data(as_text=True)
    finally:
        app.config["PUBLIC_BASE_URL"] = None
    assert f"https://collections.example.org/objects/{record['id']}" in page


def test_drafts_and_internal_objects_are_not_found(app, client, browser_for):
    for status in ("draft", "internal"):
        record = make_object(app, status=status, title={"fr": "Secret"})
        response = client.get(f"/objects/{record['id']}")
        assert response.status_code == 404
        assert "Secret" not in response.get_data(as_text=True)
        # A signed-in curator gets the public view here too.
        assert browser_for("curator").get(f"/objects/{record['id']}").status_code == 404


def test_record_text_is_escaped_everywhere(app, client, browser_for):
    record = make_object(
        app, status="public", title={"fr": SCRIPT, "en": SCRIPT}, description={"fr": SCRIPT}
    )
    curator = browser_for("curator")
    pages = [
        client.get("/search"),
        client.get(f"/objects/{record['id']}"),
        curator.get("/curate/"),
        curator.get("/curate/search"),
        curator.get(f"/curate/objects/{record['id']}"),
        curator.get(f"/curate/objects/{record['id']}/edit"),
        curator.get(f"/curate/objects/{record['id']}/history"),
    ]
    for response in pages:
        text = response.get_data(as_text=True)
        assert response.status_code == 200
        assert SCRIPT not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_interface_language_follows_accept_language_then_the_switch(app, client):
    record = make_object(app, status="public", title={"fr": "Casque", "en": "Helmet"})
    english = client.get(f"/objects/{record['id']}", headers={"Accept-Language": "en-GB,en"})
    text = english.get_data(as_text=True)
    assert '<html lang="en">' in text and "Cite this object" in text and "Helmet" in text
    french = client.get(f"/objects/{record['id']}", headers={"Accept-Language": "fr"})
    text = french.get_data(as_text=True)
    assert '<html lang="fr">' in text and "Citer cet objet" in text and "Casque" in text
    switched = client.get(f"/lang/fr?next=/objects/{record['id']}")
    assert switched.location.endswith(f"/objects/{record['id']}")
    again = client.get(f"/objects/{record['id']}", headers={"Accept-Language": "en"})
    assert "Citer cet objet" in again.get_data(as_text=True)


def test_language_switch_stays_on_this_site(client):
    response = client.get("/lang/en?next=//evil.example/")
    assert response.location.endswith("/") and "evil" not in response.location


def test_pages_are_usable_on_a_phone(client):
    page = client.get("/").get_data(as_text=True)
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    assert 'href="#main"' in page


def test_search_uses_the_query_language_with_facets_highlights_and_suggestions(app, client):
    kind = make_authority(
        app, "terms", label={"fr": "Casque", "en": "Helmet"}, vocabulary="object_type"
    )
    make_object(
        app,
        status="public",
        title={"fr": f"Casque Adrian {SCRIPT}"},
        description={"fr": "Casque porté en 1940"},
        object_type={"id": kind["id"]},
    )
    make_object(app, status="public", title={"fr": "Casque allemand"})
    english = client.get("/search?q=casque NOT allemand", headers={"Accept-Language": "en"})
    page = english.get_data(as_text=True)
    results = page.split("result-list")[1].split("</ol>")[0]
    assert "Adrian" in results and "allemand" not in results
    assert "<mark>Casque</mark>" in page and SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert f"object_type={kind['id']}" in page and ">Helmet</a>" in page
    french = client.get("/search?q=casque", headers={"Accept-Language": "fr"})
    assert ">Casque</a>" in french.get_data(as_text=True)
    misspelt = client.get("/search?q=casqe").get_data(as_text=True)
    assert 'q=casque"' in misspelt.replace("&amp;", "&") or "q=casque&" in misspelt


def test_an_unreadable_query_is_a_friendly_400_page(client, browser_for):
    for browser, path in ((client, "/search"), (browser_for("curator"), "/curate/search")):
        response = browser.get(path, query_string={"q": "internal_notes:secret"})
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "could not be read" in page and 'role="search"' in page
