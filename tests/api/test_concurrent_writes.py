"""Writers racing on one record with the same ETag: exactly one wins, every other gets a 412.

The catalogue runs under gunicorn with several worker processes of several threads each, on
the test database (SQLite file or PostgreSQL). Every writer reads the same ETag, then a
barrier releases all their PATCHes together; each round must give one 200 and 412s only,
leave the winner's change and nothing else, and record exactly one new version or change.
"""

from __future__ import annotations

import pytest

from catalogue.models import (
    AUTHORITY_MODELS,
    Base,
    CatalogueObject,
    Media,
    ObjectSet,
    Procedure,
)
from catalogue.models.base import Timestamps
from tests import gunicorn, helpers

WRITERS = 16
ROUNDS = 3


def test_every_record_kind_is_raced():
    raced = {CatalogueObject, Media, ObjectSet, Procedure, *AUTHORITY_MODELS.values()}
    kinds = {m.class_ for m in Base.registry.mappers if issubclass(m.class_, Timestamps)}
    assert kinds == raced, "a new record kind needs a race below"


@pytest.fixture(scope="module")
def server(app, database_url, tmp_path_factory):
    served = gunicorn.start(database_url, tmp_path_factory.mktemp("gunicorn"))
    yield served
    served.stop()


def race(server, caller, path: str, bodies: list[dict]) -> tuple[int, gunicorn.Answer]:
    """PATCH ``path`` from every body at once with the ETag read just before."""
    current = server.request("GET", path, headers=caller.headers)
    assert current.status == 200, current.body
    etag = current.headers["ETag"]
    headers = {**caller.headers, "If-Match": etag}
    answers = server.at_once([("PATCH", path, body, headers) for body in bodies])
    statuses = [answer.status for answer in answers]
    assert sorted(statuses) == [200] + [412] * (len(bodies) - 1), (
        f"{statuses}\n{[a.body for a in answers if a.status not in (200, 412)]}\n{server.tail()}"
    )
    for answer in answers:
        if answer.status == 412:
            assert answer.content_type.startswith("application/problem+json")
            assert answer.body["status"] == 412
    winner = statuses.index(200)
    return winner, answers[winner]


def changes_of(server, caller, object_id: str) -> int:
    """How many change-log events the changes feed holds for an object."""
    feed = server.request("GET", "/api/v1/changes?limit=1000", headers=caller.headers)
    assert feed.status == 200, feed.body
    return sum(item["id"] == object_id for item in feed.body["items"])


def current(server, caller, path: str) -> gunicorn.Answer:
    answer = server.request("GET", path, headers=caller.headers)
    assert answer.status == 200, answer.body
    return answer


def test_one_writer_wins_on_an_object(server, client, curator):
    record = helpers.obj(client, curator)
    path = f"/api/v1/objects/{record['id']}"
    for round_ in range(ROUNDS):
        bodies = [{"description": {"en": f"Round {round_}, writer {i}"}} for i in range(WRITERS)]
        winner, answer = race(server, curator, path, bodies)
        saved = current(server, curator, path)
        assert saved.body["description"] == bodies[winner]["description"]
        assert saved.headers["ETag"] == answer.headers["ETag"]
        assert saved.body["version"] == round_ + 2
        versions = current(server, curator, f"{path}/versions?per_page=100").body
        assert [v["number"] for v in versions["items"]] == list(range(round_ + 2, 0, -1))
        assert changes_of(server, curator, record["id"]) == round_ + 2


def test_one_writer_wins_on_a_procedure(server, client, curator):
    record = helpers.post(client, curator, "/api/v1/exits", {"reason": "loss"})
    path = f"/api/v1/exits/{record['id']}"
    for round_ in range(ROUNDS):
        bodies = [{"notes": {"en": f"Round {round_}, writer {i}"}} for i in range(WRITERS)]
        winner, answer = race(server, curator, path, bodies)
        saved = current(server, curator, path)
        assert saved.body["notes"] == bodies[winner]["notes"]
        assert saved.headers["ETag"] == answer.headers["ETag"]
        versions = current(server, curator, f"{path}/versions?per_page=100").body
        assert [v["number"] for v in versions["items"]] == list(range(round_ + 2, 0, -1))


def _authority_in_use(client, curator, kind: str) -> tuple[dict, dict]:
    """An authority of ``kind`` and an object whose record shows its label."""
    if kind == "terms":
        item = helpers.term(client, curator, "object_type", "Fusée", "Rocket")
        record = helpers.obj(client, curator, object_type={"id": item["id"]})
    elif kind == "agents":
        item = helpers.agent(client, curator, "Organisation Todt")
        record = helpers.obj(
            client, curator, production={"makers": [{"agent": {"id": item["id"]}}]}
        )
    elif kind == "places":
        item = helpers.place(client, curator, "Wizernes")
        record = helpers.obj(client, curator, production={"place": {"id": item["id"]}})
    elif kind == "collections":
        item = helpers.collection(client, curator, "Fonds V2", "V2 collection")
        record = helpers.obj(client, curator, collections=[{"id": item["id"]}])
    else:
        item = helpers.location(client, curator, "Réserve A")
        record = helpers.obj(client, curator)
        assert helpers.move(client, curator, record, item).status_code == 201
    return item, record


def _label_shown(record: dict, kind: str) -> dict:
    if kind == "terms":
        return record["object_type"]["label"]
    if kind == "agents":
        return record["production"]["makers"][0]["agent"]["label"]
    if kind == "places":
        return record["production"]["place"]["label"]
    if kind == "collections":
        return record["collections"][0]["label"]
    return record["location"]["label"]


@pytest.mark.parametrize("kind", ["terms", "agents", "places", "collections", "locations"])
def test_one_writer_wins_on_an_authority(server, client, curator, kind):
    item, record = _authority_in_use(client, curator, kind)
    path = f"/api/v1/{kind}/{item['id']}"
    object_path = f"/api/v1/objects/{record['id']}"
    for round_ in range(ROUNDS):
        before = changes_of(server, curator, record["id"])
        labels = [f"Round {round_}, writer {i}" for i in range(WRITERS)]
        winner, answer = race(server, curator, path, [{"label": {"en": x}} for x in labels])
        saved = current(server, curator, path)
        assert saved.body["label"]["en"] == labels[winner]
        assert saved.headers["ETag"] == answer.headers["ETag"]
        shown = current(server, curator, object_path).body
        assert _label_shown(shown, kind)["en"] == labels[winner]
        # The record that shows the authority was rebuilt once, for the one change.
        assert changes_of(server, curator, record["id"]) == before + 1


def test_one_writer_wins_on_a_media(server, app, client, curator):
    record = helpers.obj(client, curator)
    media_id = helpers.media(app, record)
    path = f"/api/v1/media/{media_id}"
    object_path = f"/api/v1/objects/{record['id']}"
    for round_ in range(ROUNDS):
        before = changes_of(server, curator, record["id"])
        captions = [f"Round {round_}, writer {i}" for i in range(WRITERS)]
        winner, answer = race(server, curator, path, [{"caption": {"en": x}} for x in captions])
        saved = current(server, curator, path)
        assert saved.body["caption"]["en"] == captions[winner]
        assert saved.headers["ETag"] == answer.headers["ETag"]
        shown = current(server, curator, object_path).body
        assert shown["media"][0]["caption"]["en"] == captions[winner]
        assert changes_of(server, curator, record["id"]) == before + 1


def test_writers_of_several_media_of_one_object_all_save(server, app, client, curator):
    """Media of one object made primary at once, each by its own writer: each writer changes
    only its own media and the one primary before it, so every write saves."""
    record = helpers.obj(client, curator)
    first = helpers.media(app, record, caption="Vue principale")  # the primary one
    media_ids = [helpers.media(app, record, public=False, caption=f"Vue {i}") for i in range(8)]
    requests = []
    for media_id in media_ids:
        path = f"/api/v1/media/{media_id}"
        etag = current(server, curator, path).headers["ETag"]
        requests.append(("PATCH", path, {"primary": True}, {**curator.headers, "If-Match": etag}))
    answers = server.at_once(requests)
    assert [a.status for a in answers] == [200] * len(media_ids), (
        f"{[(a.status, a.body) for a in answers if a.status != 200]}\n{server.tail()}"
    )
    saved = [current(server, curator, f"/api/v1/media/{i}").body for i in [first, *media_ids]]
    assert sum(media["primary"] for media in saved) == 1
    assert not saved[0]["primary"]
    shown = current(server, curator, f"/api/v1/objects/{record['id']}").body["media"]
    assert {m["id"]: m["primary"] for m in shown} == {m["id"]: m["primary"] for m in saved}


def test_one_writer_wins_on_a_set(server, client, curator):
    made = helpers.post(client, curator, "/api/v1/sets", {"title": {"fr": "Sélection"}})
    path = f"/api/v1/sets/{made['id']}"
    for round_ in range(ROUNDS):
        bodies = [{"title": {"en": f"Round {round_}, writer {i}"}} for i in range(WRITERS)]
        winner, answer = race(server, curator, path, bodies)
        saved = current(server, curator, path)
        assert saved.body["title"]["en"] == bodies[winner]["title"]["en"]
        assert saved.headers["ETag"] == answer.headers["ETag"]
        assert saved.body["version"] == round_ + 2
        versions = current(server, curator, f"{path}/versions?per_page=100").body
        assert [v["number"] for v in versions["items"]] == list(range(round_ + 2, 0, -1))
