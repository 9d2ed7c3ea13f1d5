"""Batches: what a curator sends to create one, and the shapes the API answers."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from catalogue.schemas.common import Input, PageEnvelope, Pagination

OPS = ("set", "add", "remove", "status", "move", "add-to-set", "remove-from-set")
MAX_IDS = 20_000


class IdRef(Input):
    id = fields.UUID(required=True)


class TargetsIn(Input):
    """One of ``{"set": {"id"}}``, ``{"ids": [...]}`` or ``{"query", "filters"}``."""

    set = fields.Nested(IdRef)
    ids = fields.List(fields.UUID(), validate=validate.Length(min=1, max=MAX_IDS))
    query = fields.String(validate=validate.Length(max=1000))
    filters = fields.Dict(keys=fields.String())

    @validates_schema
    def _one_kind(self, data, **kwargs):
        kinds = [k for k in ("set", "ids") if k in data]
        if "query" in data or "filters" in data:
            kinds.append("query")
        if len(kinds) != 1:
            raise ValidationError(
                'Give exactly one of {"set": {"id"}}, {"ids": [...]} or {"query", "filters"}.'
            )


class OperationIn(Input):
    op = fields.String(required=True, validate=validate.OneOf(OPS))
    field = fields.String(validate=validate.Length(min=1, max=100))
    value = fields.Raw(allow_none=True)


class BatchIn(Input):
    targets = fields.Nested(TargetsIn, required=True)
    operation = fields.Nested(OperationIn, required=True)


class BatchArgs(Input):
    class Meta:
        unknown = EXCLUDE

    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class ItemListArgs(Pagination):
    class Meta:
        unknown = EXCLUDE

    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    outcome = fields.String(validate=validate.OneOf(("change", "unchanged", "skip")))
    result = fields.String(validate=validate.OneOf(("changed", "unchanged", "skipped", "failed")))


class Counts(Schema):
    targets = fields.Integer()
    done = fields.Integer()
    changed = fields.Integer()
    unchanged = fields.Integer()
    skipped = fields.Integer()
    failed = fields.Integer()


class ItemOut(Schema):
    id = fields.String()
    object_number = fields.String(allow_none=True)
    outcome = fields.String(metadata={"description": "change, unchanged or skip (preview)"})
    changes = fields.List(fields.Dict(), metadata={"description": "field, before, after"})
    reason = fields.Dict(allow_none=True)
    result = fields.String(allow_none=True)
    result_reason = fields.Dict(allow_none=True)
    version = fields.Integer(allow_none=True)


class BatchOut(Schema):
    id = fields.String()
    status = fields.String(metadata={"description": "preview, running, done or failed"})
    operation = fields.Dict()
    targets = fields.Dict()
    counts = fields.Nested(Counts)
    preview = fields.Dict()
    created_at = fields.String()
    created_by = fields.String(allow_none=True)
    started_at = fields.String(allow_none=True)
    finished_at = fields.String(allow_none=True)
    error = fields.String(allow_none=True)
    undo_of = fields.String(allow_none=True)
    undone_by = fields.String(allow_none=True)
    links = fields.Dict()
    items = fields.List(fields.Nested(ItemOut))
    items_total = fields.Integer()
    items_next = fields.String(allow_none=True)


class BatchPage(PageEnvelope):
    items = fields.List(fields.Nested(BatchOut))


class ItemPage(PageEnvelope):
    items = fields.List(fields.Nested(ItemOut))
