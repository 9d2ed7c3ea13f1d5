"""Rights a reuser can act on: a controlled list on objects, `reusable` and a `rights` facet."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from catalogue.services.search import sync as search_sync
from tests import helpers

CC_BY = "http://creativecommons.org/licenses/by/4.0/"
IN_COPYRIGHT = "http://rightsstatements.org/vocab/InC/1.0/"


@pytest.fixture(autouse=True)
def empty_index(app):
    with app.app_context():
        search_sync.engine(app).store.clear()


def test_free_to_reuse_filter_and_rights_facet(client, curator):
    free = helpers.obj(
        client,
        curator,
        status="public",
        title={"fr": "Affiche libre"},
        # Spelled as people copy it: https, no trailing slash; stored in the list's spelling.
        rights={"uri": "https://creativecommons.org/licenses/by/4.0", "statement": "Musée"},
    )
    assert free["rights"]["uri"] == CC_BY
    helpers.obj(
        client,
        curator,
        status="public",
        title={"fr": "Affiche protégée"},
        rights={"uri": IN_COPYRIGHT},
    )
    helpers.obj(client, curator, status="public", title={"fr": "Affiche sans droits"})

    everything = client.get("/api/v1/search?q=affiche&lang=en").get_json()
    assert everything["total"] == 3
    facet = {f["value"]: f for f in everything["facets"]["rights"]}
    assert facet[CC_BY]["label"] == "Creative Commons Attribution 4.0"
    assert facet[CC_BY]["count"] == 1 and facet[IN_COPYRIGHT]["label"] == "In Copyright"

    reusable = client.get("/api/v1/search?q=affiche&reusable=true").get_json()
    assert [item["id"] for item in reusable["items"]] == [free["id"]]
    not_reusable = client.get("/api/v1/search?q=affiche&reusable=false").get_json()
    assert not_reusable["total"] == 2
    by_rights = client.get("/api/v1/search", query_string={"q": "affiche", "rights": IN_COPYRIGHT})
    assert [i["title"]["fr"] for i in by_rights.get_json()["items"]] == ["Affiche protégée"]
    french = client.get("/api/v1/search?q=affiche&lang=fr").get_json()["facets"]["rights"]
    assert {f["label"] for f in french} == {
        "Creative Commons Attribution 4.0",
        "Protégé par le droit d’auteur",
    }


def test_a_rights_uri_off_the_list_is_refused_and_changes_nothing(client, curator):
    record = helpers.obj(client, curator, title={"fr": "Casque"}, rights={"uri": IN_COPYRIGHT})
    _, etag = helpers.read(client, curator, record)
    response = client.patch(
        f"/api/v1/objects/{record['id']}",
        json={"rights": {"uri": "http://example.org/my-licence"}},
        headers={**curator.headers, "If-Match": etag},
    )
    problem = helpers.is_problem(response, 422)
    assert "rights.uri" in problem["errors"]
    assert helpers.read(client, curator, record)[0]["rights"]["uri"] == IN_COPYRIGHT


def test_a_malformed_reusable_value_is_a_422(client):
    helpers.is_problem(client.get("/api/v1/search?reusable=perhaps"), 422)


def _png() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(data, "PNG")
    data.seek(0)
    return data


def test_media_carry_a_rights_uri_of_the_list_and_it_decides_the_download(client, curator):
    record = helpers.obj(
        client, curator, status="public", title={"fr": "Casque"}, rights={"uri": IN_COPYRIGHT}
    )
    path = f"/api/v1/objects/{record['id']}/media"
    refused = client.post(
        path,
        data={"file": (_png(), "a.png"), "rights_uri": "http://example.org/licence"},
        headers=curator.headers,
        content_type="multipart/form-data",
    )
    assert "rights_uri" in helpers.is_problem(refused, 422)["errors"]
    assert helpers.read(client, curator, record)[0]["media"] == []  # nothing stored
    uploaded = client.post(
        path,
        data={
            "file": (_png(), "a.png"),
            "rights_uri": "https://creativecommons.org/licenses/by/4.0",
        },
        headers=curator.headers,
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 201, uploaded.get_data(as_text=True)
    media = uploaded.get_json()
    assert media["rights_uri"] == CC_BY
    # The object is in copyright, its image is CC BY: the image page offers the download.
    page = client.get(f"/objects/{record['id']}", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert f'href="/api/v1/media/{media["id"]}/content" download' in text
    assert "This image:" in text and "In Copyright" in text
    # Changing it to a URI off the list is refused and changes nothing.
    response = client.patch(
        f"/api/v1/media/{media['id']}",
        json={"rights_uri": "http://example.org/x"},
        headers={**curator.headers, "If-Match": "*"},
    )
    assert "rights_uri" in helpers.is_problem(response, 422)["errors"]
    assert (
        client.get(f"/api/v1/media/{media['id']}", headers=curator.headers).get_json()["rights_uri"]
        == CC_BY
    )
    cleared = client.patch(
        f"/api/v1/media/{media['id']}",
        json={"rights_uri": None},
        headers={**curator.headers, "If-Match": "*"},
    )
    assert cleared.status_code == 200 and cleared.get_json()["rights_uri"] is None
    page = client.get(f"/objects/{record['id']}", headers={"Accept-Language": "en"})
    assert '/content" download' not in page.get_data(as_text=True)
