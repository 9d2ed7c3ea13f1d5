"""The demo collection: objects of a WWII history centre, loaded idempotently.

Records come from ``la_coupole.json``; ids are derived from each record's key, so loading
twice changes nothing and links between records stay stable.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import AUTHORITY_MODELS, CatalogueObject, Procedure, Tombstone
from catalogue.schemas.authorities import AUTHORITY_INPUT
from catalogue.schemas.objects import REFERENCE_LISTS
from catalogue.services import uow
from catalogue.services.authorities import records as authorities
from catalogue.services.identity import SYSTEM, Identity
from catalogue.services.media import uploads
from catalogue.services.objects import locations
from catalogue.services.objects import read as objects_read
from catalogue.services.objects import write as objects_write
from catalogue.services.procedures import records as procedures
from catalogue.services.procedures import transitions as procedure_transitions

NAMESPACE = uuid.UUID("5b0e1d0c-7d43-4f69-9c1c-3a3e1c0de944")
KINDS = ("terms", "agents", "places", "collections", "locations")


def demo_id(key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, key)


@dataclass
class Report:
    created: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        target = self.created if created else self.skipped
        target[kind] = target.get(kind, 0) + 1


def read_dataset() -> dict:
    return json.loads(resources.files("catalogue.demo").joinpath("la_coupole.json").read_text())


def _ref(key: str | None) -> dict | None:
    return {"id": str(demo_id(key))} if key else None


def _authority_input(kind: str, record: dict) -> dict:
    data = {k: v for k, v in record.items() if k not in ("key", "parent")}
    if kind == "locations":
        data["parent"] = _ref(record.get("parent"))
    return data


def _object_input(record: dict, numbers: dict[str, uuid.UUID], with_relations: bool) -> dict:
    production = record.get("production")
    if production:
        production = {
            "date": production.get("date"),
            "place": _ref(production.get("place")),
            "makers": [
                {"agent": _ref(m["agent"]), "role": m.get("role")}
                for m in production.get("makers") or []
            ],
        }
    data = {
        **{k: v for k, v in record.items() if k not in ("location",)},
        "object_type": _ref(record.get("object_type")),
        "production": production,
        "related_objects": [
            {"id": str(numbers[r["object_number"]]), "relation": r["relation"]}
            for r in record.get("related_objects") or []
        ]
        if with_relations
        else [],
    }
    for name in REFERENCE_LISTS:
        data[name] = [_ref(key) for key in record.get(name) or []]
    return objects_write.load_input(data)


def catalogue_is_empty() -> bool:
    """No object was ever catalogued (none exists, none was deleted)."""
    return (
        db.session.execute(
            sa.select(CatalogueObject.id).union_all(sa.select(Tombstone.id)).limit(1)
        ).first()
        is None
    )


def load(identity: Identity = SYSTEM, dataset: dict | None = None) -> Report:
    """Load every record that is not there yet; existing ones are left as they are.

    The search index catches up once, at the end, rather than after each of the commits.
    """
    with uow.listeners_held():
        return _load(identity, dataset or read_dataset())


def _load(identity: Identity, dataset: dict) -> Report:
    report = Report()
    for kind in KINDS:
        model = AUTHORITY_MODELS[kind]
        schema = AUTHORITY_INPUT[kind]()
        for record in dataset.get(kind, []):
            item_id = demo_id(record["key"])
            exists = db.session.get(model, item_id) is not None
            if not exists:
                authorities.create(
                    identity, kind, schema.load(_authority_input(kind, record)), item_id=item_id
                )
            report.count(kind, not exists)

    numbers = {r["object_number"]: demo_id(r["object_number"]) for r in dataset["objects"]}
    taken = set(
        db.session.execute(
            sa.select(CatalogueObject.object_number).union(sa.select(Tombstone.object_number))
        ).scalars()
    )
    fresh = [r for r in dataset["objects"] if r["object_number"] not in taken]
    for record in fresh:
        objects_write.create(
            identity,
            _object_input(record, numbers, with_relations=False),
            object_id=numbers[record["object_number"]],
        )
        report.count("objects", True)
    report.skipped["objects"] = len(dataset["objects"]) - len(fresh)
    for record in fresh:
        object_id = numbers[record["object_number"]]
        if record.get("related_objects"):
            current = objects_read.get(identity, object_id)
            objects_write.replace(
                identity,
                object_id,
                _object_input(record, numbers, with_relations=True),
                current.etag,
            )
        if record.get("location"):
            locations.record_movement(
                identity,
                object_id,
                {
                    "to_location": demo_id(record["location"]),
                    "reason": "Initial location (demo data)",
                },
            )
    _attach_images(identity, [r["object_number"] for r in fresh], numbers, report)
    _load_procedures(identity, dataset, numbers, report)
    return report


AGENT_FIELDS = ("depositor", "owner", "source", "recipient")


def _procedure_input(record: dict, numbers: dict[str, uuid.UUID]) -> dict:
    body = dict(record["body"])
    for name in AGENT_FIELDS:
        if body.get(name):
            body[name] = _ref(body[name])
    if "locations" in body:
        body["locations"] = [_ref(key) for key in body["locations"]]
    if "objects" in body:
        body["objects"] = [
            {"id": str(numbers[item["object_number"]])} if "object_number" in item else item
            for item in body["objects"]
        ]
    return procedures.load_input(procedures.kind_of(record["kind"]), body)


def _load_procedures(identity: Identity, dataset: dict, numbers, report: Report) -> None:
    """Procedures of the demo (the 1997 acquisition of the A4, a family's deposit), taken
    through their transitions as a registrar would."""
    for record in dataset.get("procedures", []):
        procedure_id = demo_id(record["key"])
        if db.session.get(Procedure, procedure_id) is not None:
            report.count("procedures", False)
            continue
        procedures.create(identity, record["kind"], _procedure_input(record, numbers), procedure_id)
        for target in record.get("transitions") or []:
            procedure_transitions.transition(
                identity, record["kind"], procedure_id, {"to": target}, "*"
            )
        report.count("procedures", True)


DEMO_CAPTION = {
    "fr": "Image d’illustration générée pour la démonstration (pas une photographie de l’objet)",
    "en": "Illustrative image made for the demo (not a photograph of the object)",
}


def _attach_images(identity: Identity, numbers_created, numbers, report: Report) -> None:
    """The demo images of the objects just created, drawn and uploaded as a curator would."""
    from catalogue.demo import images
    from media.checksums import sha256_of_file

    wanted = [n for n in numbers_created if n in images.DEMO_IMAGES]
    if not wanted:
        return
    with tempfile.TemporaryDirectory(prefix="demo-images-") as folder:
        for number in wanted:
            for index, kind in enumerate(images.DEMO_IMAGES[number], start=1):
                path = Path(folder) / f"{number}_{index}.jpg"
                images.draw(kind, number if index == 1 else f"{number}_{index}").save(
                    path, "JPEG", quality=85
                )
                sha256, size = sha256_of_file(path)
                received = uploads.Upload(path, sha256, size, f"demo-{kind}.jpg")
                form = {"caption": json.dumps(DEMO_CAPTION), "rights": "Demo material, CC0"}
                uploads.upload(identity, numbers[number], received, form)
                report.count("images", True)
