"""The public pages in Debian's Chromium: the viewer loads tiles, maps show markers without
the network, filter chips, the date range, the free-to-reuse filter, citation downloads."""

from __future__ import annotations

import json
import re

from tests.web.browsing import E2E as pytestmark  # noqa: F401
from tests.web.browsing import expect, shot
from tests.web.conftest import attach_image, make_authority, make_object

CC_BY = "http://creativecommons.org/licenses/by/4.0/"
TILE = re.compile(r"/iiif/3/[0-9a-f-]{36}/(?!full/)[^/]+/[^/]+/0/default\.jpg$")


def no_tiles(page) -> None:
    """Map tiles come from OpenStreetMap: refused here, so the test needs no network."""
    page.route(re.compile(r"https://tile\.openstreetmap\.org/.*"), lambda route: route.abort())


def test_viewer_loads_tiles_gallery_switches_and_citations_download(
    app, open_page, backend, tmp_path
):
    maker = make_authority(app, "agents", kind="person", label={"fr": "Photographe inconnu"})
    where = make_authority(
        app, "places", label={"fr": "Wizernes"}, latitude=50.711, longitude=2.236
    )
    record = make_object(
        app,
        status="public",
        title={"fr": "Coupole en construction", "en": "Dome under construction"},
        production={
            "date": {"edtf": "1944"},
            "place": {"id": where["id"]},
            "makers": [{"agent": {"id": maker["id"]}, "role": "photographe"}],
        },
        rights={"uri": CC_BY},
    )
    attach_image(app, record, tmp_path, "steelblue")
    attach_image(app, record, tmp_path, "darkred")

    page = open_page()
    page.goto(f"/objects/{record['id']}")
    # The page shows a still IIIF rendering; zooming in opens the deep-zoom viewer, which
    # asks the IIIF Image API for tiles of a region of the image.
    expect(page.locator(".viewer-still")).to_be_visible()
    assert page.locator(".viewer-still").evaluate("img => img.naturalWidth") > 0
    with page.expect_request(lambda request: TILE.search(request.url)) as tile:
        page.get_by_role("button", name="Zoom in").click()
        expect(page.locator(".viewer[data-ready='true'] canvas")).to_be_visible()
        page.get_by_role("button", name="Zoom in").click()
    expect(page.locator(".viewer-still")).to_be_hidden()
    assert tile.value.response().status == 200
    page.wait_for_timeout(500)
    # The canvas shows the image: its middle pixel is the drawing's white, not black.
    painted = page.evaluate(
        """() => { const c = document.querySelector('.viewer canvas');
        const d = c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data;
        return [d[0], d[1], d[2]]; }"""
    )
    assert min(painted) > 200, painted
    page.get_by_role("link", name=re.compile("Image 2 of 2")).click()
    expect(page.locator(".strip a[aria-current]")).to_have_attribute("data-index", "1")
    expect(page.locator("#viewer-caption")).to_have_text("Vue darkred")
    assert page.url.endswith("?image=2")
    expect(page.get_by_role("link", name="Download this image")).to_be_visible()
    shot(page, "object-viewer", backend)

    with page.expect_download() as bibtex:
        page.get_by_role("link", name="BibTeX").click()
    text = bibtex.value.path().read_text(encoding="utf-8")
    assert "Dome under construction" in text and "year = {1944}" in text
    with page.expect_download() as csl:
        page.get_by_role("link", name=re.compile("CSL-JSON")).click()
    [item] = json.loads(csl.value.path().read_text(encoding="utf-8"))
    assert item["title"] == "Dome under construction"
    with page.expect_download() as ris:
        page.get_by_role("link", name=re.compile("RIS")).click()
    assert "TI  - Dome under construction" in ris.value.path().read_text(encoding="utf-8")

    # From the record to its place, on a map drawn without tiles.
    no_tiles(page)
    page.get_by_role("link", name="Wizernes").click()
    page.get_by_role("heading", name="Wizernes").wait_for()
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    expect(page.locator(".leaflet-marker-icon")).to_be_visible()
    page.get_by_role("link", name="Dome under construction").wait_for()
    shot(page, "place-map", backend)


def test_search_chips_date_range_reuse_filter_and_map(app, open_page, backend):
    tour = make_authority(app, "collections", label={"fr": "Circuit", "en": "Tour"})
    london = make_authority(
        app, "places", label={"fr": "Londres", "en": "London"}, latitude=51.5, longitude=-0.12
    )
    wizernes = make_authority(
        app, "places", label={"fr": "Wizernes"}, latitude=50.711, longitude=2.236
    )
    for year, where, rights in ((1940, london, CC_BY), (1944, wizernes, None), (1960, None, None)):
        make_object(
            app,
            status="public",
            title={"fr": f"Affiche {year}", "en": f"Poster {year}"},
            production={
                "date": {"edtf": str(year)},
                **({"place": {"id": where["id"]}} if where else {}),
            },
            collections=[{"id": tour["id"]}],
            **({"rights": {"uri": rights}} if rights else {}),
        )
    page = open_page()
    no_tiles(page)
    page.goto("/search?q=poster")
    expect(page.locator(".result-list > li")).to_have_count(3)
    # The map of the results: one marker per place with coordinates.
    page.get_by_text("Show the results on a map").click()
    expect(page.locator(".map .leaflet-marker-icon")).to_have_count(2)
    shot(page, "search-map", backend)

    page.get_by_label("From (year)").fill("1930")
    page.get_by_label("To (year)").fill("1950")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".result-list > li")).to_have_count(2)
    expect(page.locator(".chip")).to_have_count(3)  # from, to, clear all
    page.get_by_role("link", name="Remove filter To: 1950").click()
    expect(page.locator(".result-list > li")).to_have_count(3)  # from 1930 on: all three
    page.get_by_role("link", name="Only what is free to reuse").click()
    expect(page.locator(".result-list > li")).to_have_count(1)
    expect(page.locator(".result-list")).to_contain_text("Poster 1940")
    expect(page.get_by_role("link", name="Remove filter Free to reuse")).to_be_visible()
    shot(page, "search-chips", backend)
    # A new query without "keep the filters" starts afresh; with it, keeps them.
    page.get_by_label("Search the collection").fill("affiche")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator(".chip")).to_have_count(0)
    expect(page.locator(".result-list > li")).to_have_count(3)
    page.goto(f"/search?q=poster&collection={tour['id']}&date_from=1950")
    page.get_by_label("Search the collection").fill("affiche")
    page.get_by_label("Keep the filters").check()
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator(".result-list > li")).to_have_count(1)
    page.get_by_role("link", name="Clear all").click()
    expect(page.locator(".chip")).to_have_count(0)
    expect(page.locator(".result-list > li")).to_have_count(3)

    # On a phone the results come first and the facets are folded.
    phone = open_page(width=390, height=844)
    phone.goto("/search?q=poster")
    results = phone.locator(".results").bounding_box()
    facets = phone.locator("#facets").bounding_box()
    assert results["y"] < facets["y"]
    assert phone.locator("#facets").evaluate("d => d.open") is False
    shot(phone, "search-phone-folded", backend)
