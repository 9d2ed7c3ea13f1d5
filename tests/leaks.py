"""Every channel that shows the collection, read as an anonymous caller would.

A channel is a function ``(client, hidden_ids) -> list[str]`` returning every body it
serves, including attempts to fetch the hidden records directly. Add new channels (search,
IIIF images and manifests, web pages, exports) to ``CHANNELS`` as they are built: the leak
test then covers them.
"""

from __future__ import annotations

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
    near-misses that could draw a spelling suggestion from a hidden record."""
    bodies = []
    for q in SEARCHES:
        for path in ("/api/v1/search", "/search"):
            bodies.append(_text(client.get(path, query_string={"q": q, "per_page": 100})))
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
