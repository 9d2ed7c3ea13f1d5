"""Every channel that shows the collection, read as an anonymous caller would.

A channel is a function ``(client, hidden_ids) -> list[str]`` returning every body it
serves, including attempts to fetch the hidden records directly. Add new channels (search,
IIIF images and manifests, web pages, exports) to ``CHANNELS`` as they are built: the leak
test then covers them.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from lxml import etree

OAI = {"o": "http://www.openarchives.org/OAI/2.0/"}
REPO = "catalogue.example.org"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _asked(response, object_id: str) -> str:
    """A direct request for a hidden record: the body, minus the id the caller sent itself."""
    return _text(response).replace(object_id, "<asked>")


def objects_api(client, hidden_ids) -> list[str]:
    bodies, page = [], 1
    while True:
        response = client.get("/api/v1/objects", query_string={"page": page, "per_page": 100})
        bodies.append(_text(response))
        if not response.get_json()["next"]:
            break
        page += 1
    for object_id in hidden_ids:
        for path in (f"/api/v1/objects/{object_id}", f"/linked-art/objects/{object_id}"):
            response = client.get(path)
            assert response.status_code == 404, path
            bodies.append(_asked(response, object_id))
    return bodies


def changes_feed(client, hidden_ids) -> list[str]:
    bodies, since = [], None
    while True:
        response = client.get("/api/v1/changes", query_string={"since": since} if since else {})
        bodies.append(_text(response))
        body = response.get_json()
        if not body["has_more"]:
            return bodies
        since = body["cursor"]


def oai_pmh(client, hidden_ids) -> list[str]:
    bodies = [_text(client.get("/oai", query_string={"verb": "ListSets"}))]
    for prefix in ("oai_dc", "lido"):
        for verb in ("ListRecords", "ListIdentifiers"):
            args = {"verb": verb, "metadataPrefix": prefix}
            while True:
                response = client.get("/oai", query_string=args)
                bodies.append(_text(response))
                token = etree.fromstring(response.data).findtext(
                    ".//o:resumptionToken", namespaces=OAI
                )
                if not token:
                    break
                args = {"verb": verb, "resumptionToken": token}
        for object_id in hidden_ids:
            args = {
                "verb": "GetRecord",
                "metadataPrefix": prefix,
                "identifier": f"oai:{REPO}:{object_id}",
            }
            bodies.append(_asked(client.get("/oai", query_string=args), object_id))
    return bodies


def linked_art(client, hidden_ids) -> list[str]:
    listed = client.get("/api/v1/objects", query_string={"per_page": 100}).get_json()["items"]
    return [_text(client.get(f"/linked-art/objects/{item['id']}")) for item in listed]


def iiif_discovery(client, hidden_ids) -> list[str]:
    response = client.get("/iiif/discovery/collection.json")
    bodies = [_text(response)]
    url = response.get_json()["first"]["id"]
    while url:
        page = client.get("/" + url.split("://", 1)[1].split("/", 1)[1])
        bodies.append(_text(page))
        url = (page.get_json().get("next") or {}).get("id")
    return bodies


def sitemap(client, hidden_ids) -> list[str]:
    return [_text(client.get("/sitemap.xml"))]


def web_pages(client, hidden_ids) -> list[str]:
    listed = client.get("/api/v1/objects", query_string={"per_page": 100}).get_json()["items"]
    bodies = [_text(client.get(f"/objects/{item['id']}")) for item in listed]
    bodies.append(_text(client.get("/")))
    for object_id in hidden_ids:
        response = client.get(f"/objects/{object_id}")
        assert response.status_code == 404, object_id
        bodies.append(_asked(response, object_id))
    return bodies


def iiif_manifests(client, hidden_ids) -> list[str]:
    listed = client.get("/api/v1/objects", query_string={"per_page": 100}).get_json()["items"]
    bodies = [_text(client.get(f"/iiif/3/objects/{item['id']}/manifest")) for item in listed]
    for object_id in hidden_ids:
        response = client.get(f"/iiif/3/objects/{object_id}/manifest")
        assert response.status_code == 404, object_id
        bodies.append(_asked(response, object_id))
    return bodies


SEARCHES = ("", "secret", "CANARY", "canary-3f9e1d", "secre*", "texte~", "title:secret")


def search(client, hidden_ids) -> list[str]:
    """The search API and the public search page, with words, prefixes, fuzzy terms and
    near-misses that could draw a spelling suggestion from a hidden record; and with the
    filters of the page (free to reuse, dates, sorted) and the map of the results."""
    bodies = []
    for q in SEARCHES:
        for path in ("/api/v1/search", "/search"):
            bodies.append(_text(client.get(path, query_string={"q": q, "per_page": 100})))
    for extra in ({"reusable": "true"}, {"date_from": 1900, "date_to": 2000, "sort": "-date"}):
        for path in ("/api/v1/search", "/search"):
            bodies.append(_text(client.get(path, query_string={"per_page": 100, **extra})))
    return bodies


def citations(client, hidden_ids) -> list[str]:
    """The CSL-JSON, BibTeX and RIS downloads of every public object; 404 for hidden ones."""
    listed = client.get("/api/v1/objects", query_string={"per_page": 100}).get_json()["items"]
    bodies = []
    for extension in ("json", "bib", "ris"):
        bodies += [_text(client.get(f"/objects/{i['id']}/cite.{extension}")) for i in listed]
        for object_id in hidden_ids:
            response = client.get(f"/objects/{object_id}/cite.{extension}")
            assert response.status_code == 404, object_id
            bodies.append(_asked(response, object_id))
    return bodies


def authority_pages(client, hidden_ids) -> list[str]:
    """The public pages of every agent and place, which list their public objects."""
    bodies = []
    for kind in ("agents", "places"):
        listed = client.get(f"/api/v1/{kind}", query_string={"per_page": 100}).get_json()
        bodies += [_text(client.get(f"/{kind}/{item['id']}")) for item in listed["items"]]
    return bodies


def sets(client, hidden_ids) -> list[str]:
    """Every public set, through the API (set, members, CSV), its page, its IIIF Collection
    and its OAI-PMH set; the public list of sets."""
    bodies, listed, page = [_text(client.get("/sets"))], [], 1
    while True:
        response = client.get("/api/v1/sets", query_string={"page": page, "per_page": 100})
        bodies.append(_text(response))
        listed += [item["id"] for item in response.get_json()["items"]]
        if not response.get_json()["next"]:
            break
        page += 1
    for set_id in listed:
        for path in (
            f"/api/v1/sets/{set_id}",
            f"/api/v1/sets/{set_id}/members?per_page=100",
            f"/api/v1/sets/{set_id}/members.csv",
            f"/api/v1/sets/{set_id}/versions",
            f"/iiif/3/sets/{set_id}/collection",
            f"/sets/{set_id}",
        ):
            bodies.append(_text(client.get(path)))
        for verb in ("ListRecords", "ListIdentifiers"):
            args = {"verb": verb, "metadataPrefix": "oai_dc", "set": f"set:{set_id}"}
            bodies.append(_text(client.get("/oai", query_string=args)))
    for object_id in hidden_ids:
        response = client.get("/api/v1/sets", query_string={"object": object_id})
        bodies.append(_asked(response, object_id))
    return bodies


PROCEDURE_PATHS = ("entries", "acquisitions", "audits", "exits")


def procedures(client, hidden_ids) -> list[str]:
    """Every procedure endpoint: lists (JSON and CSV), records, their versions and paperwork,
    objects' biographies and the procedures' change log all answer 404, naming nothing."""
    bodies = []
    paths = ["/api/v1/procedure-changes"]
    for kind in PROCEDURE_PATHS:
        paths += [f"/api/v1/{kind}", f"/api/v1/{kind}?format=csv"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 404, path
        bodies.append(_text(response))
    for record_id in hidden_ids:
        asked = [f"/api/v1/objects/{record_id}/procedures"]
        for kind in PROCEDURE_PATHS:
            asked += [
                f"/api/v1/{kind}/{record_id}",
                f"/api/v1/{kind}/{record_id}/versions",
                f"/api/v1/{kind}/{record_id}/versions/1",
            ]
        asked.append(f"/api/v1/entries/{record_id}/receipt.pdf")
        for path in asked:
            response = client.get(path)
            assert response.status_code == 404, path
            bodies.append(_asked(response, record_id))
    return bodies


def object_versions(client, hidden_ids) -> list[str]:
    """The versions of every object listed (researchers read them; anonymous callers get a
    401), and of the hidden ones."""
    listed = client.get("/api/v1/objects", query_string={"per_page": 100}).get_json()["items"]
    bodies = []
    for item in listed:
        response = client.get(f"/api/v1/objects/{item['id']}/versions")
        bodies.append(_text(response))
        if response.status_code == 200:
            for version in response.get_json()["items"]:
                path = f"/api/v1/objects/{item['id']}/versions/{version['number']}"
                bodies.append(_text(client.get(path)))
    for object_id in hidden_ids:
        response = client.get(f"/api/v1/objects/{object_id}/versions")
        assert response.status_code in (401, 404), object_id
        bodies.append(_asked(response, object_id))
    return bodies


RECONCILE_TYPES = (None, "agent", "place", "term", "collection", "object")


def reconcile(client, hidden_ids) -> list[str]:
    """The reconciliation service: manifest, queries (POST and GET) of every type with the
    search words and the hidden ids, every page of suggestions, and previews and views of
    the hidden records (404)."""
    bodies = [_text(client.get("/reconcile"))]
    words = [w for w in SEARCHES if w] + ["texte secret", "Affiche", *hidden_ids]
    queries = {}
    for i, word in enumerate(words):
        for type_id in RECONCILE_TYPES:
            query = {"query": word, "limit": 100}
            if type_id:
                query["type"] = type_id
            queries[f"q{i}-{type_id}"] = query
    keys = list(queries)
    for start in range(0, len(keys), 10):
        batch = json.dumps({k: queries[k] for k in keys[start : start + 10]})
        bodies.append(_text(client.post("/reconcile", data={"queries": batch})))
        bodies.append(_text(client.get("/reconcile", query_string={"queries": batch})))
    for prefix in ("", "secret", "canary", "texte", "affiche", "2"):
        for type_id in ("", "object"):
            cursor = 0
            while True:
                args = {"prefix": prefix, "type": type_id, "cursor": cursor}
                response = client.get("/reconcile/suggest/entity", query_string=args)
                bodies.append(_text(response))
                if not response.get_json()["result"]:
                    break
                cursor += len(response.get_json()["result"])
    for object_id in hidden_ids:
        for path in (f"/reconcile/preview?id={object_id}", f"/reconcile/view/{object_id}"):
            response = client.get(path)
            assert response.status_code == 404, path
            bodies.append(_asked(response, object_id))
    return bodies


class AsCaller:
    """A test client whose every request carries ``headers`` (a researcher's token)."""

    def __init__(self, client, headers: dict) -> None:
        self.client, self.headers = client, headers

    def get(self, path, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.get(path, headers=headers, **kwargs)

    def post(self, path, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.post(path, headers=headers, **kwargs)


CHANNELS: dict[str, Callable] = {
    "objects API": objects_api,
    "changes feed": changes_feed,
    "OAI-PMH": oai_pmh,
    "Linked Art": linked_art,
    "IIIF Change Discovery": iiif_discovery,
    "sitemap": sitemap,
    "web pages": web_pages,
    "IIIF manifests": iiif_manifests,
    "search": search,
    "sets": sets,
    "reconciliation": reconcile,
    "procedures": procedures,
    "object versions": object_versions,
    "citations": citations,
    "agent and place pages": authority_pages,
}


def background_jobs(client, job_ids) -> list[str]:
    """Staff-only: background jobs (``/api/v1/jobs/{id}``) and the imports they commit. An
    anonymous caller (and a researcher) get a problem, never the job's progress or result."""
    bodies = []
    for job_id in job_ids:
        for path in (f"/api/v1/jobs/{job_id}", "/api/v1/jobs/" + job_id.upper()):
            response = client.get(path)
            assert response.status_code in (401, 403), path
            bodies.append(_text(response).replace(job_id, "<asked>").replace(job_id.upper(), ""))
    return bodies


# Channels that show an anonymous caller nothing at all, public records included.
SILENT_TO_ANONYMOUS = {"procedures", "object versions"}


def batches(client, batch_ids) -> list[str]:
    """Staff-only: batches (``/api/v1/batches``), their items and actions. An anonymous
    caller or a researcher is told a batch does not exist (reads) or that they may not
    (writes), nothing more."""
    bodies = []
    response = client.get("/api/v1/batches")
    assert response.status_code in (401, 403)
    bodies.append(_text(response))
    for batch_id in batch_ids:
        for path in (f"/api/v1/batches/{batch_id}", f"/api/v1/batches/{batch_id}/items"):
            response = client.get(path)
            assert response.status_code == 404, path
            bodies.append(_asked(response, batch_id))
        for action in ("run", "undo"):
            response = client.post(f"/api/v1/batches/{batch_id}/{action}")
            assert response.status_code in (401, 403), action
            bodies.append(_asked(response, batch_id))
    return bodies


def leaks(client, hidden_ids, secrets) -> list[str]:
    """``channel: secret`` for every secret (text or id) some channel shows."""
    found = []
    for name, channel in CHANNELS.items():
        text = "\n".join(channel(client, hidden_ids))
        found += [f"{name}: {secret}" for secret in secrets if secret in text]
    return found
