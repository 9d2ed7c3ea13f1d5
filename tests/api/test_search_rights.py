"""Rights a reuser can act on: a controlled list on objects, `reusable` and a `rights` facet."""

from __future__ import annotations

import pytest

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
