"""IIIF Change Discovery API 1.0: the public stream of manifest changes, in fixed pages.

The public log only grows at its end, so a full page never changes once written: pages are
cacheable, and the last page holds the newest activities.
"""

from __future__ import annotations

from catalogue.services.errors import NotFound
from catalogue.services.feeds import changes

CONTEXT = "http://iiif.io/api/discovery/1/context.json"
PAGE_SIZE = 100
COLLECTION_PATH = "/iiif/discovery/collection.json"


def _last_page(total: int) -> int:
    return max((total - 1) // PAGE_SIZE, 0)


def _page_ref(base: str, index: int) -> dict:
    return {"id": f"{base}/iiif/discovery/pages/{index}.json", "type": "OrderedCollectionPage"}


def _activity(base: str, event: changes.Event) -> dict:
    return {
        "id": f"{base}/iiif/discovery/activities/{event.seq}",
        "type": changes.ACTIVITY_TYPES[event.event],
        "object": {"id": f"{base}/iiif/3/objects/{event.id}/manifest", "type": "Manifest"},
        "endTime": event.at,
    }


def collection(base: str) -> dict:
    """The OrderedCollection: how many activities, and its first and last pages."""
    total = changes.public_count()
    return {
        "@context": CONTEXT,
        "id": base + COLLECTION_PATH,
        "type": "OrderedCollection",
        "totalItems": total,
        "first": _page_ref(base, 0),
        "last": _page_ref(base, _last_page(total)),
    }


def page(base: str, index: int) -> dict:
    """One OrderedCollectionPage of activities, oldest first; NotFound past the last."""
    last = _last_page(changes.public_count())
    if index > last:
        raise NotFound(f"There is no page {index}; the last page is {last}.")
    events = changes.public_slice(index * PAGE_SIZE, PAGE_SIZE)
    body = {
        "@context": CONTEXT,
        "id": _page_ref(base, index)["id"],
        "type": "OrderedCollectionPage",
        "startIndex": index * PAGE_SIZE,
        "partOf": {"id": base + COLLECTION_PATH, "type": "OrderedCollection"},
        "orderedItems": [_activity(base, event) for event in events],
    }
    if index > 0:
        body["prev"] = _page_ref(base, index - 1)
    if index < last:
        body["next"] = _page_ref(base, index + 1)
    return body
