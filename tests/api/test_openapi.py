"""The OpenAPI document, the browsable reference, liveness and readiness."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft4Validator
from jsonschema.exceptions import SchemaError

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# Endpoints of the contract that this service implements so far, with their methods.
CONTRACT = {
    "/api/v1/objects": {"get", "post"},
    "/api/v1/objects/{object_id}": {"get", "put", "patch", "delete"},
    "/api/v1/objects/by-number/{object_number}": {"get"},
    "/api/v1/objects/{object_id}/versions": {"get"},
    "/api/v1/objects/{object_id}/versions/{number}": {"get"},
    "/api/v1/objects/{object_id}/versions/{number}/restore": {"post"},
    "/api/v1/objects/{object_id}/movements": {"get", "post"},
    "/api/v1/objects/{object_id}/condition-checks": {"get", "post"},
    **{
        f"/api/v1/{kind}": {"get", "post"}
        for kind in ("agents", "places", "terms", "collections", "locations")
    },
    **{
        f"/api/v1/{kind}/{{item_id}}": {"get", "put", "patch", "delete"}
        for kind in ("agents", "places", "terms", "collections", "locations")
    },
}


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def resolve(spec: dict, ref: str) -> dict:
    assert ref.startswith("#/"), ref
    node = spec
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def refs_in(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from refs_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs_in(value)


def test_the_document_is_openapi_3(spec):
    assert re.match(r"^3\.\d+\.\d+$", spec["openapi"])
    assert spec["info"]["title"] and spec["info"]["version"]
    assert spec["paths"]
    for path, item in spec["paths"].items():
        assert path.startswith("/")
        declared = set(re.findall(r"{(\w+)}", path))
        operations = {m: op for m, op in item.items() if m in METHODS}
        assert operations, path
        for method, operation in operations.items():
            assert operation["responses"], (method, path)
            for code in operation["responses"]:
                assert code == "default" or re.match(r"^[1-5]\d\d$", str(code)), (path, code)
            params = item.get("parameters", []) + operation.get("parameters", [])
            params = [resolve(spec, p["$ref"]) if "$ref" in p else p for p in params]
            in_path = {p["name"] for p in params if p["in"] == "path"}
            assert in_path == declared, (method, path)
            for param in params:
                assert param["in"] in {"path", "query", "header", "cookie"}
                if param["in"] == "path":
                    assert param["required"] is True
    for ref in set(refs_in(spec)):
        assert resolve(spec, ref) is not None


def schemas_in(spec: dict):
    """Every schema object of the document, with where it is."""
    yield from (("components", name, s) for name, s in spec["components"]["schemas"].items())
    for path, item in spec["paths"].items():
        operations = [op for m, op in item.items() if m in METHODS]
        for param in item.get("parameters", []) + [
            p for op in operations for p in op.get("parameters", [])
        ]:
            if "schema" in param:
                yield path, param["name"], param["schema"]
        for op in operations:
            for media_type, content in op.get("requestBody", {}).get("content", {}).items():
                yield path, media_type, content.get("schema", {})


def test_every_schema_is_valid_json_schema(spec):
    # OpenAPI 3.0 schemas are JSON Schema draft 4 plus a few keywords: a bound written as a
    # string ("0.00") is refused by validators and by clients generated from the document.
    invalid = []
    for where, name, schema in schemas_in(spec):
        try:
            Draft4Validator.check_schema(schema)
        except SchemaError as error:
            invalid.append(f"{where} {name}: {error.message} at {list(error.absolute_path)}")
    assert not invalid, invalid


def test_the_document_lists_every_contract_endpoint(spec):
    for path, methods in CONTRACT.items():
        assert path in spec["paths"], path
        assert methods <= set(spec["paths"][path]), path


def test_the_reference_page_renders(client, spec):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<html" in page.lower()
    assert "/api/v1/objects/by-number/{object_number}" in page
    assert spec["info"]["title"] in page


def test_healthz_and_readyz(client):
    live = client.get("/healthz")
    assert live.status_code == 200 and live.get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"]["database"] == "ok"


def test_readyz_reports_a_failing_dependency(app, client):
    def broken():
        raise OSError("storage unreachable")

    checks = app.extensions.setdefault("readiness_checks", {})
    checks["test-storage"] = broken
    try:
        response = client.get("/readyz")
    finally:
        del checks["test-storage"]
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["test-storage"] == "unavailable"
    assert body["checks"]["database"] == "ok"


def test_texts_are_documented_as_language_maps(spec):
    # What a client generated from the document sends as a title or a label.
    schemas = spec["components"]["schemas"]
    for name, field in (
        ("ObjectIn", "title"),
        ("TermIn", "label"),
        ("CollectionIn", "description"),
    ):
        text = Draft4Validator(schemas[name]["properties"][field])
        assert text.is_valid("Fusée") and text.is_valid({"fr": "Fusée", "en": "Rocket"})
        assert not text.is_valid(1944) and not text.is_valid({"fr": ["Fusée"]})


def test_uploads_document_their_multipart_body(spec):
    for path, fields in (
        ("/api/v1/objects/{object_id}/media", {"caption", "rights", "public", "primary"}),
        ("/api/v1/imports", {"mapping", "dry_run"}),
    ):
        body = spec["paths"][path]["post"]["requestBody"]["content"]["multipart/form-data"]
        schema = resolve(spec, body["schema"]["$ref"])
        assert schema["properties"]["file"]["format"] == "binary" and "file" in schema["required"]
        assert fields <= set(schema["properties"]), path
