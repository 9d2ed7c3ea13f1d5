"""Every operation of the OpenAPI document, fuzzed with schemathesis, anonymous and as a curator.

Requests are generated from the document itself (``/api/v1/openapi.json``) and sent to the app
in-process (WSGI), on SQLite and on PostgreSQL: random valid and invalid requests to every
operation (schemathesis's fuzzing phase, ``MAX_EXAMPLES`` each), and as a curator also the
boundary values of every parameter and field, wrong types, missing fields, other content types
and undeclared methods (its coverage phase). Two properties hold for every answer: it is never
a server error, and every 4xx and 5xx is ``application/problem+json``.

Random identifiers would only ever meet 404s, so in about half the random requests the UUIDs in
the path, the query and the body name records of a small catalogue made for each run (objects
public, draft and deleted, every kind of authority, an image, an import), and writes send
``If-Match`` (``*``, a stale or a malformed ETag) half the time, so they reach the services
rather than stopping at 428. The writes change that catalogue freely: the database is emptied
after the test like after any other.

Generation is derandomized: CI sends the same requests on every run. Raise ``MAX_EXAMPLES``
locally to look further.
"""

from __future__ import annotations

import io
import uuid

import pytest
import schemathesis
from hypothesis import strategies as st
from PIL import Image
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from tests import helpers

MAX_EXAMPLES = 10
CONFIG = {
    "seed": 20261124,
    "generation": {
        "mode": "all",
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "database": "none",
    },
}
WRITES = {"PUT", "PATCH", "DELETE", "POST"}
IF_MATCH = ["*", '"stale"', 'W/"0"', "not an etag"]
# Mostly yes: Hypothesis draws its simplest choice, the first, more often than the others.
OFTEN = st.sampled_from([True, False])


def config_for(role: str | None) -> dict:
    """The boundary values of every field and parameter (the coverage phase: most of the
    requests) are sent as a curator, whose writes go past 401 into the services; an anonymous
    caller gets the examples and the random requests."""
    phases = {"coverage": {"enabled": role == "curator"}, "stateful": {"enabled": False}}
    return {**CONFIG, "phases": phases}


def problem_json_errors(ctx, response, case) -> None:
    """Every 4xx and 5xx answer is an RFC 9457 problem."""
    if response.status_code >= 400:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type.split(";")[0].strip() == "application/problem+json", (
            f"{response.status_code} answered as {content_type or 'no content type'}"
        )


def _image() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def seed_catalogue(client, curator) -> dict[str, list]:
    """A small catalogue through the API; returns the values each path parameter may take."""
    steel = helpers.term(client, curator, "material", "Acier", "Steel")
    rocket = helpers.term(client, curator, "object_type", "Fusée", "Rocket")
    maker = helpers.agent(client, curator, "Mittelwerk GmbH")
    place = helpers.place(client, curator, "Wizernes", latitude=50.71, longitude=2.23)
    collection = helpers.collection(client, curator, "Les armes secrètes", "The secret weapons")
    site = helpers.location(client, curator, "La Coupole", kind="site")
    room = helpers.location(client, curator, "Salle 1", parent=site)
    public = helpers.obj(
        client,
        curator,
        status="public",
        object_type={"id": rocket["id"]},
        materials=[{"id": steel["id"]}],
        production={"date": {"edtf": "1944"}, "makers": [{"agent": {"id": maker["id"]}}]},
        associated_places=[{"id": place["id"]}],
        collections=[{"id": collection["id"]}],
    )
    helpers.edit(client, curator, public, {"description": {"fr": "Vue de face"}})
    helpers.move(client, curator, public, room)
    draft = helpers.obj(client, curator, related_objects=[{"id": public["id"]}])
    gone = helpers.obj(client, curator, status="public")
    assert helpers.write(client, curator, "DELETE", f"/api/v1/objects/{gone['id']}").status_code
    image = client.post(
        f"/api/v1/objects/{public['id']}/media",
        data={"file": (io.BytesIO(_image()), "face.jpg"), "public": "true"},
        headers=curator.headers,
        content_type="multipart/form-data",
    )
    assert image.status_code == 201, image.get_data(as_text=True)
    rows = b"object_number;title_fr\n2026.9999.001;Casque\n"
    job = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(rows), "inventaire.csv")},
        headers=curator.headers,
        content_type="multipart/form-data",
    )
    assert job.status_code == 201, job.get_data(as_text=True)
    # A second import, committed: its background job (queued, no worker runs it here).
    committed = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(rows), "inventaire.csv"), "dry_run": "false"},
        headers=curator.headers,
        content_type="multipart/form-data",
    )
    assert committed.status_code == 201, committed.get_data(as_text=True)
    showcase = helpers.post(
        client, curator, "/api/v1/sets", {"title": "Vitrine", "visibility": "public"}
    )
    added = client.post(
        f"/api/v1/sets/{showcase['id']}/members",
        json={"objects": [{"id": public["id"], "note": "Vue"}, {"id": draft["id"]}]},
        headers=curator.headers,
    )
    assert added.status_code == 200, added.get_data(as_text=True)
    batch = helpers.post(
        client,
        curator,
        "/api/v1/batches",
        {
            "targets": {"ids": [public["id"], draft["id"]]},
            "operation": {"op": "set", "field": "object_type", "value": {"id": rocket["id"]}},
        },
    )
    objects = [public, draft, gone]
    procedures = [
        helpers.post(client, curator, f"/api/v1/{path}", body)
        for path, body in (
            ("entries", {"reason": "enquiry", "objects": [{"id": public["id"]}]}),
            ("acquisitions", {"method": "gift", "objects": [{"id": draft["id"]}]}),
            ("audits", {"locations": [{"id": room["id"]}]}),
            ("exits", {"reason": "loss", "objects": [{"id": public["id"]}]}),
        )
    ]
    known = {
        "batch_id": [batch["id"]],
        "set_id": [showcase["id"]],
        "procedure_id": [p["id"] for p in procedures],
        "object_id": [o["id"] for o in objects],
        "object_number": [o["object_number"] for o in objects],
        "number": [1, 2],
        "media_id": [image.get_json()["id"]],
        "import_id": [job.get_json()["id"]],
        "job_id": [committed.get_json()["commit_job"]["id"]],
        "terms": [steel["id"], rocket["id"]],
        "agents": [maker["id"]],
        "places": [place["id"]],
        "collections": [collection["id"]],
        "locations": [site["id"], room["id"]],
    }
    kinds = ("object_id", "procedure_id", *KINDS.values())
    known["any"] = list(dict.fromkeys(i for k in kinds for i in known[k]))
    return known


# Which records a UUID may name, by the field or parameter that holds it.
KINDS = {
    **dict.fromkeys(("object_type", "materials", "material", "techniques", "subjects"), "terms"),
    **dict.fromkeys(
        ("agent", "associated_agents", "maker", "depositor", "owner", "source", "recipient"),
        "agents",
    ),
    **dict.fromkeys(("place", "associated_places"), "places"),
    **dict.fromkeys(("collections", "collection"), "collections"),
    **dict.fromkeys(("location", "parent", "to_location", "locations"), "locations"),
    **dict.fromkeys(("related_objects", "objects", "object"), "object_id"),
}


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def _swap_ids(draw, value, key: str | None, known: dict[str, list]):
    """``value`` with some of the UUIDs in it replaced by records of the catalogue."""
    if isinstance(value, dict):
        # {"id": ...} takes the kind of the field holding it (materials: [{"id": ...}]).
        return {k: _swap_ids(draw, v, key if k == "id" else k, known) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap_ids(draw, v, key, known) for v in value]
    if isinstance(value, str) and _is_uuid(value) and draw(OFTEN):
        pool = known.get(KINDS.get(key, ""), known["any"])
        return draw(st.sampled_from(pool))
    return value


def _aimed(known: dict[str, list]):
    """A hook: half the cases name records of the catalogue, writes send If-Match."""

    def flatmap_case(context, case):
        path = case.operation.path

        @st.composite
        def variant(draw):
            aimed = case.derive()
            if aimed.path_parameters and draw(OFTEN):
                # {item_id} is a term, an agent... as the segment before it says.
                kinds = {
                    n: path.split("/")[3] if n == "item_id" else n for n in aimed.path_parameters
                }
                aimed.path_parameters = {
                    n: draw(st.sampled_from(known[k])) for n, k in kinds.items()
                }
            if aimed.query:
                aimed.query = _swap_ids(draw, aimed.query, None, known)
            if isinstance(aimed.body, dict | list):
                aimed.body = _swap_ids(draw, aimed.body, None, known)
            if aimed.method.upper() in WRITES and draw(OFTEN):
                headers = aimed.headers.copy()
                headers["If-Match"] = draw(st.sampled_from(IF_MATCH))
                aimed.headers = headers
            return aimed

        return variant()

    return flatmap_case


@pytest.fixture(params=["anonymous", "curator"])
def caller(request, users):
    return users[request.param]


@pytest.fixture
def api_schema(app, client, users, caller):
    known = seed_catalogue(client, users["curator"])
    config = SchemathesisConfig.from_dict(config_for(caller.role))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    schema.hook(_aimed(known))
    return schema


@pytest.fixture(autouse=True)
def _node_id(request):
    # schemathesis (4.32) names each operation's subtest through the item's `_nodeid`, an
    # attribute pytest 9.2 no longer has; give it one (pytest itself reads `nodeid`).
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


def check(case, caller) -> None:
    case.call_and_validate(
        headers=caller.headers,
        checks=[not_a_server_error, problem_json_errors],
        # Read files to the end and close them, as a server does (or they leak into warnings).
        buffered=True,
    )


fuzzed = schemathesis.pytest.from_fixture("api_schema")


@fuzzed.exclude(method="DELETE").parametrize()
def test_no_server_error_and_every_error_is_a_problem(case, caller):
    check(case, caller)


# On a catalogue of their own: the records they remove stay there for every other operation.
@fuzzed.include(method="DELETE").parametrize()
def test_deletes_never_fail_either(case, caller):
    check(case, caller)
