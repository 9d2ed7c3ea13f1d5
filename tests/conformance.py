"""Official schemas, loaded offline from the shared folder beside the repository (or beside
the folder that holds it, for a git worktree such as ``wt/<branch>``)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from lxml import etree

SHARED = next(
    (
        folder / "shared"
        for folder in Path(__file__).resolve().parents[1:]
        if (folder / "shared" / "schemas").is_dir()
    ),
    Path(__file__).resolve().parents[2] / "shared",
)
SCHEMAS = SHARED / "schemas"
PARSER = etree.XMLParser(no_network=True, resolve_entities=False)


@functools.cache
def oai_schema() -> etree.XMLSchema:
    """OAI-PMH envelope with oai_dc and LIDO 1.1 payloads, validated strictly."""
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "oai-pmh" / "all.xsd")))


@functools.cache
def lido_schematron():
    from lxml import isoschematron

    return isoschematron.Schematron(etree.parse(str(SCHEMAS / "lido" / "lido-v1.1.xsd")))


def assert_valid_oai(xml: bytes) -> etree._Element:
    doc = etree.fromstring(xml, PARSER)
    schema = oai_schema()
    assert schema.validate(doc), str(schema.error_log)
    for record in doc.iter("{http://www.lido-schema.org}lido"):
        rules = lido_schematron()
        assert rules.validate(record), str(rules.error_log)
    return doc


@functools.cache
def _linked_art():
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    folder = SCHEMAS / "linked-art"
    documents = [json.loads(p.read_text()) for p in sorted((folder / "schema").glob("*.json"))]
    registry = Registry().with_resources(
        (d["$id"], Resource.from_contents(d, default_specification=DRAFT202012)) for d in documents
    )
    validators = {
        name: Draft202012Validator(
            json.loads((folder / "schema" / f"{name}.json").read_text()), registry=registry
        )
        for name in ("object", "group")
    }
    context = json.loads((folder / "ns" / "v1" / "linked-art.json").read_text())
    return validators, context


def linked_art_errors(document: dict, endpoint: str = "object") -> list[str]:
    validators, _ = _linked_art()
    return [f"{e.json_path}: {e.message}" for e in validators[endpoint].iter_errors(document)]


def expand_linked_art(document: dict) -> list:
    """JSON-LD expansion with the bundled Linked Art context; any other URL is refused."""
    from pyld import jsonld

    _, context = _linked_art()
    url = "https://linked.art/ns/v1/linked-art.json"

    def loader(requested, options=None):
        if requested != url:
            raise jsonld.JsonLdError(
                f"offline: {requested}", "jsonld.LoadDocumentError", code="loading document failed"
            )
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": context,
        }

    return jsonld.expand(document, {"documentLoader": loader})
