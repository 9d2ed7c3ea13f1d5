"""Pages worth visiting: browse from a record, search that shows what it does, cite, reuse."""

from __future__ import annotations

import json
import re

from tests.web.conftest import attach_image, make_authority, make_object

SCRIPT = "<script>alert(1)</script>"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
IN_COPYRIGHT = "http://rightsstatements.org/vocab/InC/1.0/"


def english(client, path: str):
    return client.get(path, headers={"Accept-Language": "en"})


def french(client, path: str):
    return client.get(path, headers={"Accept-Language": "fr"})


def test_a_record_links_to_its_makers_places_terms_and_public_related_objects(app, client):
    maker = make_authority(
        app,
        "agents",
        kind="person",
        label={"fr": "Wernher von Braun"},
        dates="1912-1977",
        biography={"fr": "Ingénieur.", "en": "Engineer."},
        uri="http://www.wikidata.org/entity/Q57068",
    )
    where = make_authority(
        app,
        "places",
        label={"fr": "Londres", "en": "London"},
        latitude=51.5072,
        longitude=-0.1276,
        uri="http://vocab.getty.edu/tgn/7011781",
    )
    steel = make_authority(
        app, "terms", vocabulary="material", label={"fr": "acier", "en": "steel"}
    )
    hidden = make_object(app, status="draft", title={"fr": "Brouillon caché"})
    shown = make_object(app, status="public", title={"fr": "Moteur", "en": "Engine"})
    record = make_object(
        app,
        status="public",
        title={"fr": "Fusée", "en": "Rocket"},
        production={
            "date": {"edtf": "1944-07-17", "display": "17 juillet 1944"},
            "place": {"id": where["id"]},
            "makers": [{"agent": {"id": maker["id"]}, "role": "photographe"}],
        },
        materials=[{"id": steel["id"]}],
        related_objects=[{"id": hidden["id"]}, {"id": shown["id"]}],
        acquisition={"source": "Collection privée"},
    )
    page = english(client, f"/objects/{record['id']}").get_data(as_text=True)
    assert f'href="/agents/{maker["id"]}"' in page and f'href="/places/{where["id"]}"' in page
    assert f"/search?material={steel['id']}" in page
    assert f'href="/objects/{shown["id"]}"' in page
    assert f'href="/objects/{hidden["id"]}"' not in page
    # English pages say the date and the role in English; no comma before the source.
    assert "July 17, 1944" in page and "17 juillet" not in page
    assert "(photographer)" in page and "(photographe)" not in page
    assert "<dd>Collection privée" in page and "<dd>, " not in page
    assert "17 juillet 1944" in french(client, f"/objects/{record['id']}").get_data(as_text=True)

    agent_page = english(client, f"/agents/{maker['id']}").get_data(as_text=True)
    assert "Wernher von Braun" in agent_page and "1912-1977" in agent_page
    assert "Engineer." in agent_page and ">Wikidata Q57068</a>" in agent_page
    assert f'href="/objects/{record["id"]}"' in agent_page

    place_page = english(client, f"/places/{where['id']}").get_data(as_text=True)
    assert "London" in place_page and ">Getty TGN 7011781</a>" in place_page
    assert 'class="map"' in place_page and '"latitude": 51.5072' in place_page
    assert "vendor/leaflet/leaflet.js" in place_page
    assert f'href="/objects/{record["id"]}"' in place_page
    assert client.get("/agents/00000000-0000-0000-0000-000000000000").status_code == 404


def test_rights_badge_download_and_free_to_reuse_filter(app, client):
    free = make_object(
        app,
        status="public",
        title={"fr": "Affiche libre", "en": "Free poster"},
        rights={"uri": CC0, "statement": "Don de l’auteur"},
    )
    make_object(
        app, status="public", title={"fr": "Affiche protégée"}, rights={"uri": IN_COPYRIGHT}
    )
    page = english(client, f"/objects/{free['id']}").get_data(as_text=True)
    assert 'class="badge badge-open"' in page and "No rights reserved (CC0)" in page
    assert "Free to reuse" in page and "Don de l’auteur" in page
    results = english(client, "/search?q=affiche&reusable=true").get_data(as_text=True)
    assert "Free poster" in results and "Affiche protégée" not in results
    assert "Remove filter Free to reuse" in results
    all_rights = english(client, "/search?q=affiche").get_data(as_text=True)
    assert "In Copyright" in all_rights and "Only what is free to reuse" in all_rights
    bad = english(client, "/search?rights=http://example.org/x")
    assert bad.status_code == 400 and "Unknown rights statement" in bad.get_data(as_text=True)


def test_chips_clear_all_and_a_new_query_starts_without_old_filters(app, client):
    tour = make_authority(app, "collections", label={"fr": "Circuit", "en": "Tour"})
    make_object(
        app,
        status="public",
        title={"fr": "Casque 1940", "en": "Helmet 1940"},
        production={"date": {"edtf": "1940"}},
        collections=[{"id": tour["id"]}],
    )
    make_object(
        app, status="public", title={"fr": "Casque 1960"}, production={"date": {"edtf": "1960"}}
    )
    path = f"/search?q=casque&collection={tour['id']}&date_from=1930&date_to=1950"
    page = english(client, path).get_data(as_text=True)
    assert "Helmet 1940" in page and "Casque 1960" not in page
    chips = re.findall(r'class="chip"[^>]*aria-label="([^"]+)"', page)
    assert chips == [
        "Remove filter Collection: Tour",
        "Remove filter From: 1930",
        "Remove filter To: 1950",
    ]
    assert 'href="/search?q=casque"' in page  # clear all keeps the words
    # Removing the "to" chip widens the range.
    without_to = english(client, f"/search?q=casque&collection={tour['id']}&date_from=1930")
    assert "Helmet 1940" in without_to.get_data(as_text=True)
    # A new query typed in the box forgets the filters; with "keep" ticked it keeps them.
    asked = {"q": "helmet", "prev_q": "casque", "collection": tour["id"], "date_from": "1930"}
    fresh = client.get("/search", query_string=asked)
    assert fresh.status_code == 302 and fresh.location == "/search?q=helmet"
    kept = client.get("/search", query_string={**asked, "keep": "1"})
    assert "collection=" in kept.location and "date_from=1930" in kept.location
    same = client.get("/search", query_string={**asked, "q": "casque"})
    assert "collection=" in same.location  # the same words: refining, not a new search


def test_sort_numbered_pages_and_date_range_errors(app, client):
    for year in range(1901, 1946):
        make_object(
            app,
            status="public",
            title={"fr": f"Affiche de {year}"},
            production={"date": {"edtf": str(year)}},
        )
    page = english(client, "/search?q=affiche&sort=-date").get_data(as_text=True)
    titles = re.findall(r"Affiche de (\d{4})", page.split("result-list")[1])
    assert titles[:3] == ["1945", "1944", "1943"]
    assert 'aria-current="page">1<' in page and ">3</a>" in page
    second = english(client, "/search?q=affiche&sort=date&page=2").get_data(as_text=True)
    assert '<ol class="result-list thumbs" start="21">' in second
    assert re.findall(r"Affiche de (\d{4})", second.split("result-list")[1])[0] == "1921"
    for bad in ("date_from=abc", "date_to=99999", "sort=colour", "decade=1945"):
        response = english(client, f"/search?q=affiche&{bad}")
        assert response.status_code == 400, bad
    inverted = english(client, "/search?q=affiche&date_from=1950&date_to=1900")
    assert inverted.status_code == 400
    assert "The start year (1950) is after the end year (1900)." in inverted.get_data(as_text=True)
    nothing = english(client, "/search?q=zzzzqqq").get_data(as_text=True)
    assert '<p class="nothing">Nothing found.</p>' in nothing and "<li>Nothing" not in nothing


def test_titles_and_highlights_in_the_interface_language_with_visible_fallback(app, client):
    make_object(app, status="public", title={"fr": "Fusée A4", "en": "A4 rocket"})
    make_object(app, status="public", title={"fr": "Fusée sans traduction"})
    page = english(client, "/search?q=fusée").get_data(as_text=True)
    highlights = re.findall(r'<p class="highlight">(.*?)</p>', page)
    assert "<mark>rocket</mark>" not in page  # the English title matched nothing
    assert any("A4" in h for h in highlights)
    assert not any("Fusée A4" in h and "rocket" in h for h in highlights)
    assert '<span lang="fr">Fusée sans traduction</span> <span class="fallback">(in French)' in page
    make_object(
        app,
        status="public",
        title={"fr": "Chantier de la coupole", "en": "Dome construction site"},
        description={"fr": "Vue générale du chantier.", "en": "General view of the site."},
    )
    french_page = french(client, "/search?q=chantier").get_data(as_text=True)
    fragments = re.findall(r'<p class="highlight">(.*?)</p>', french_page)
    assert any("<mark>chantier</mark>" in f.lower() for f in fragments)
    assert not any("view" in f or "Dome" in f for f in fragments), fragments


def test_citation_downloads_in_three_formats_escape_record_text(app, client):
    maker = make_authority(app, "agents", kind="person", label={"fr": "Studio {Lumière} & Cie"})
    record = make_object(
        app,
        status="public",
        title={"fr": f"Vue aérienne 100% {SCRIPT}", "en": "Aerial view\nER  - injected"},
        production={"date": {"edtf": "1944"}, "makers": [{"agent": {"id": maker["id"]}}]},
    )
    base = f"/objects/{record['id']}/cite"
    csl = english(client, f"{base}.json")
    assert csl.mimetype == "application/vnd.citationstyles.csl+json"
    disposition = csl.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="{record["object_number"]}.json"'
    [item] = json.loads(csl.get_data(as_text=True))
    assert item["title"] == "Aerial view\nER  - injected"  # JSON keeps it as it is
    assert item["issued"] == {"date-parts": [[1944]]}
    assert item["author"] == [{"literal": "Studio {Lumière} & Cie"}]
    assert item["URL"] == f"http://localhost/objects/{record['id']}"

    bib = french(client, f"{base}.bib").get_data(as_text=True)
    assert bib.startswith("@misc{obj")
    assert r"Vue aérienne 100\%" in bib and r"{Studio \{Lumière\} \& Cie}" in bib
    assert "year = {1944}" in bib

    ris = english(client, f"{base}.ris").get_data(as_text=True)
    lines = ris.split("\r\n")
    assert lines[0] == "TY  - ART" and "TI  - Aerial view ER - injected" in lines
    assert sum(line.startswith("ER  -") for line in lines) == 1
    page = english(client, f"/objects/{record['id']}").get_data(as_text=True)
    for extension in ("json", "bib", "ris"):
        assert f'href="{base}.{extension}"' in page
    assert english(client, f"{base}.pdf").status_code == 404


def test_favicon_and_the_vendor_files_the_pages_load(client):
    page = english(client, "/").get_data(as_text=True)
    assert 'rel="icon"' in page
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and b"<svg" in icon.data
    icon.close()
    assert client.get("/favicon.ico").status_code == 301
    for path in (
        "vendor/openseadragon/openseadragon.min.js",
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.css",
    ):
        response = client.get(f"/static/{path}")
        assert response.status_code == 200, f"{path}: run `make vendor`"
        response.close()


def test_the_still_image_of_the_viewer_is_served_for_small_and_large_images(app, client, tmp_path):
    for size in ((300, 200), (2000, 1500)):
        record = make_object(app, status="public", title={"fr": "Photographie"})
        colour = "navy" if size[0] < 1000 else "olive"
        media_id = attach_image(app, record, tmp_path, colour, size=size)
        page = english(client, f"/objects/{record['id']}").get_data(as_text=True)
        [still] = re.findall(r'class="viewer-still" src="([^"]+)"', page)
        assert media_id in still
        answer = client.get(still)
        assert answer.status_code == 200 and answer.mimetype == "image/jpeg", still
        answer.close()
