"""Sets in the pages: add to a set from search results and object pages, my sets, a set's
page with reordering (no script), notes, sharing and publishing; public sets shown."""

from __future__ import annotations

import re

from tests.web.conftest import csrf_token, make_object, post_form


def set_id_of(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    found = re.search(r"/my/sets/([0-9a-f-]{36})", response.headers["Location"])
    assert found, response.headers["Location"]
    return found.group(1)


def etag_on(browser, set_id: str) -> str:
    page = browser.get(f"/my/sets/{set_id}").get_data(as_text=True)
    return re.search(r'name="etag" value="([^"]+)"', page).group(1).replace("&#34;", '"')


def order_on(browser, set_id: str) -> list[str]:
    page = browser.get(f"/my/sets/{set_id}").get_data(as_text=True)
    return re.findall(r'<li id="member-([0-9a-f-]{36})">', page)


def test_a_researcher_builds_a_set_from_the_search_results(app, browser_for):
    rockets = [
        make_object(app, title={"fr": f"Fusée {n}", "en": f"Rocket {n}"}, status="public")
        for n in "ABC"
    ]
    make_object(app, title={"fr": "Fusée brouillon"}, status="draft")
    browser = browser_for("researcher")
    results = browser.get("/curate/search?q=fusée").get_data(as_text=True)
    assert 'form="add-form"' in results and "Add all 3 results" in results
    # Every result, into a new set named in the form.
    response = post_form(
        browser,
        "/my/sets/add",
        {"q": "fusée", "all": "1", "set_id": "new", "new_title": "Mes fusées"},
        token_from="/curate/search?q=fusée",
    )
    set_id = set_id_of(response)
    page = browser.get(f"/my/sets/{set_id}").get_data(as_text=True)
    assert "Mes fusées" in page and "brouillon" not in page
    assert sorted(order_on(browser, set_id)) == sorted(r["id"] for r in rockets)
    # One ticked result, into the existing set: nothing twice.
    again = post_form(
        browser,
        "/my/sets/add",
        {"object_id": rockets[0]["id"], "set_id": set_id, "selected": "1"},
        token_from="/curate/search?q=fusée",
    )
    assert set_id_of(again) == set_id and len(order_on(browser, set_id)) == 3
    listed = browser.get("/my/sets").get_data(as_text=True)
    assert "Mes fusées" in listed and "3 objects" in listed


def test_add_from_an_object_page_and_see_which_sets_hold_it(app, browser_for):
    record = make_object(app, title={"fr": "Casque", "en": "Helmet"}, status="internal")
    browser = browser_for("researcher")
    page = browser.get(f"/curate/objects/{record['id']}").get_data(as_text=True)
    assert "Add to a set" in page
    response = post_form(
        browser,
        "/my/sets/add",
        {"object_id": record["id"], "set_id": "new", "new_title": "Casques"},
        token_from=f"/curate/objects/{record['id']}",
    )
    set_id = set_id_of(response)
    page = browser.get(f"/curate/objects/{record['id']}").get_data(as_text=True)
    assert "In your sets:" in page and f"/my/sets/{set_id}" in page


def test_reorder_without_script_notes_and_remove(app, browser_for):
    a, b, c = (make_object(app, title={"fr": n}, status="public") for n in ("Un", "Deux", "Trois"))
    browser = browser_for("researcher")
    set_id = set_id_of(
        post_form(browser, "/my/sets", {"title_fr": "Ordre", "visibility": "private"}, "/my/sets")
    )
    for record in (a, b, c):
        post_form(
            browser,
            "/my/sets/add",
            {"object_id": record["id"], "set_id": set_id},
            token_from="/my/sets",
        )
    assert order_on(browser, set_id) == [a["id"], b["id"], c["id"]]
    path = f"/my/sets/{set_id}"
    moved = post_form(
        browser,
        f"{path}/members/{c['id']}/move",
        {"direction": "up", "etag": etag_on(browser, set_id)},
        token_from=path,
    )
    assert moved.status_code == 302
    assert order_on(browser, set_id) == [a["id"], c["id"], b["id"]]
    positions = {f"position-{a['id']}": "3", f"position-{c['id']}": "1", f"position-{b['id']}": "2"}
    post_form(browser, f"{path}/order", {**positions, "etag": etag_on(browser, set_id)}, path)
    assert order_on(browser, set_id) == [c["id"], b["id"], a["id"]]
    post_form(
        browser,
        f"{path}/members/{b['id']}/note",
        {"note": "Le plus <b>beau</b>", "etag": etag_on(browser, set_id)},
        path,
    )
    page = browser.get(path).get_data(as_text=True)
    assert "Le plus &lt;b&gt;beau&lt;/b&gt;" in page and "<b>beau</b>" not in page
    post_form(browser, f"{path}/members/{a['id']}/remove", {"etag": etag_on(browser, set_id)}, path)
    assert order_on(browser, set_id) == [c["id"], b["id"]]
    assert "Restore version" in browser.get(path).get_data(as_text=True)


def test_a_stale_form_changes_nothing_and_says_so(app, browser_for):
    a, b = (make_object(app, status="public") for _ in range(2))
    browser = browser_for("researcher")
    set_id = set_id_of(post_form(browser, "/my/sets", {"title_fr": "Vieux"}, "/my/sets"))
    for record in (a, b):
        post_form(
            browser, "/my/sets/add", {"object_id": record["id"], "set_id": set_id}, "/my/sets"
        )
    old = etag_on(browser, set_id)
    path = f"/my/sets/{set_id}"
    post_form(browser, f"{path}/members/{b['id']}/move", {"direction": "up", "etag": old}, path)
    stale = post_form(browser, f"{path}/members/{a['id']}/remove", {"etag": old}, path)
    assert stale.status_code == 302
    page = browser.get(path).get_data(as_text=True)
    assert "changed since this page was loaded" in page
    assert order_on(browser, set_id) == [b["id"], a["id"]]


def test_share_then_publish_and_the_public_pages(app, browser_for, client):
    public = make_object(app, title={"fr": "Rampe", "en": "Ramp"}, status="public")
    draft = make_object(app, title={"fr": "Brouillon caché"}, status="draft")
    researcher = browser_for("researcher")
    set_id = set_id_of(post_form(researcher, "/my/sets", {"title_fr": "À partager"}, "/my/sets"))
    path = f"/my/sets/{set_id}"
    # A researcher shares but cannot publish: the form offers no "public" choice, and a
    # forged one is refused.
    page = researcher.get(path).get_data(as_text=True)
    assert 'value="shared"' in page and 'value="public"' not in page
    form = {"title_fr": "À partager", "visibility": "public", "etag": etag_on(researcher, set_id)}
    refused = post_form(researcher, path, form, path)
    assert refused.status_code == 403
    form["visibility"] = "shared"
    post_form(researcher, path, form, path)
    curator = browser_for("curator")
    shared = curator.get("/my/sets").get_data(as_text=True)
    assert "Shared with you" in shared and "À partager" in shared
    assert "Delete the set" not in curator.get(path).get_data(as_text=True)
    # A curator publishes a set of their own, holding a draft: the public sees the rest.
    own = set_id_of(
        post_form(
            curator,
            "/my/sets",
            {"title_fr": "Vitrine", "title_en": "Showcase", "visibility": "public"},
            "/my/sets",
        )
    )
    for record in (public, draft):
        post_form(curator, "/my/sets/add", {"object_id": record["id"], "set_id": own}, "/my/sets")
    post_form(
        curator,
        f"/my/sets/{own}/members/{public['id']}/note",
        {"note": "À voir absolument", "etag": etag_on(curator, own)},
        f"/my/sets/{own}",
    )
    listed = client.get("/sets").get_data(as_text=True)
    assert "Showcase" in listed and "À partager" not in listed and "1 object" in listed
    shown = client.get(f"/sets/{own}")
    assert shown.status_code == 200
    text = shown.get_data(as_text=True)
    assert "Ramp" in text and "À voir absolument" in text and "Brouillon caché" not in text
    assert f"/iiif/3/sets/{own}/collection" in text
    french = client.get(f"/sets/{own}", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Vitrine" in french and "Rampe" in french
    assert client.get(f"/sets/{set_id}").status_code == 404


def test_sets_pages_need_signing_in_and_a_csrf_token(app, browser_for, client):
    assert client.get("/my/sets").status_code == 302
    browser = browser_for("researcher")
    token = csrf_token(browser, "/my/sets")
    assert token
    refused = browser.post("/my/sets", data={"title_fr": "Sans jeton"})
    assert refused.status_code == 400
    assert "Sans jeton" not in browser.get("/my/sets").get_data(as_text=True)
