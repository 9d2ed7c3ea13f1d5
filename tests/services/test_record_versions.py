"""Compare-and-set: a writer that read a record before someone else saved it cannot overwrite
that change, whichever way it wrote. Every record kind carries a version that each UPDATE
checks; the late writer's commit is refused as a 412 and changes nothing.
"""

from __future__ import annotations

import threading
import uuid

import pytest

from catalogue.extensions import db
from catalogue.models import (
    Agent,
    Base,
    CatalogueObject,
    Collection,
    Location,
    Media,
    ObjectSet,
    Place,
    Procedure,
    Term,
)
from catalogue.models.base import Timestamps
from catalogue.services import uow
from catalogue.services.errors import PreconditionFailed
from tests import helpers


def _object(app, client, curator):
    return f"/api/v1/objects/{helpers.obj(client, curator)['id']}", "description"


def _media(app, client, curator):
    return f"/api/v1/media/{helpers.media(app, helpers.obj(client, curator))}", "caption"


def _authority(make):
    def build(app, client, curator):
        return make(client, curator)["links"]["self"], "label"

    return build


def _set(app, client, curator):
    made = helpers.post(client, curator, "/api/v1/sets", {"title": {"fr": "Sélection"}})
    return made["links"]["self"], "title"


# Every record kind, and how to make one: (path of the record, a text field of it).
RECORD_KINDS = {
    CatalogueObject: _object,
    Term: _authority(lambda c, u: helpers.term(c, u, "material", "Acier", "Steel")),
    Agent: _authority(lambda c, u: helpers.agent(c, u, "Wernher von Braun", kind="person")),
    Place: _authority(lambda c, u: helpers.place(c, u, "Peenemünde")),
    Collection: _authority(lambda c, u: helpers.collection(c, u, "Fonds V2", "V2 collection")),
    Location: _authority(lambda c, u: helpers.location(c, u, "Réserve A")),
    Media: _media,
    ObjectSet: _set,
}


def test_every_record_kind_has_a_checked_version():
    kinds = {m.class_ for m in Base.registry.mappers if issubclass(m.class_, Timestamps)}
    assert kinds == {*RECORD_KINDS, Procedure}, "a new record kind needs a case here"
    for kind in kinds:
        assert kind.__mapper__.version_id_col is not None, kind


def _edit(client, curator, path: str, field: str):
    etag = client.get(path, headers=curator.headers).headers["ETag"]
    return helpers.write(client, curator, "patch", path, {field: {"en": "Saved"}}, etag)


def _elsewhere(work):
    """Run ``work`` in another thread: outside this app context, so with a session of its
    own, as another request or process would be."""
    results = []
    thread = threading.Thread(target=lambda: results.append(work()))
    thread.start()
    thread.join(60)
    return results[0]


@pytest.mark.parametrize("kind", RECORD_KINDS, ids=lambda kind: kind.__name__)
def test_a_late_writer_cannot_overwrite_a_saved_change(app, client, curator, kind):
    path, field = RECORD_KINDS[kind](app, client, curator)
    record_id = uuid.UUID(path.rsplit("/", 1)[1])
    with app.app_context():
        # The late writer reads the record, without any lock...
        late = db.session.get(kind, record_id)
        # ...then a curator saves a change, in a request of its own...
        saved = _elsewhere(lambda: _edit(client, curator, path, field))
        assert saved.status_code == 200, saved.get_data(as_text=True)
        # ...and the late writer saves what it based on the state it read.
        setattr(late, field, {"en": "Overwritten"})
        with pytest.raises(PreconditionFailed):
            uow.commit()
        db.session.remove()
    after = client.get(path, headers=curator.headers)
    assert after.get_json()[field]["en"] == "Saved"
    assert after.headers["ETag"] == saved.headers["ETag"]


def test_a_late_writer_cannot_overwrite_a_saved_procedure(app, client, curator):
    record = helpers.post(client, curator, "/api/v1/entries", {"reason": "enquiry"})
    path = f"/api/v1/entries/{record['id']}"
    with app.app_context():
        late = db.session.get(Procedure, uuid.UUID(record["id"]))
        saved = _elsewhere(lambda: _edit(client, curator, path, "notes"))
        assert saved.status_code == 200, saved.get_data(as_text=True)
        late.document = {**late.document, "notes": {"en": "Overwritten"}}
        with pytest.raises(PreconditionFailed):
            uow.commit()
        db.session.remove()
    after = client.get(path, headers=curator.headers)
    assert after.get_json()["notes"]["en"] == "Saved"
    assert after.headers["ETag"] == saved.headers["ETag"]
