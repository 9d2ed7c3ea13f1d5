"""Query arguments and answer of ``GET /api/v1/search``."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from catalogue.schemas.common import PageEnvelope, Pagination

SORTS = ["relevance", "date", "object_number", "updated"]


class SearchArgs(Pagination):
    class Meta:
        unknown = EXCLUDE

    # Length and characters are checked by the search (a 400, as for any unreadable query).
    checked_elsewhere = ("q",)
    q = fields.String(load_default="")
    object_type = fields.List(fields.UUID())
    material = fields.List(fields.UUID())
    collection = fields.List(fields.UUID())
    maker = fields.List(fields.UUID())
    place = fields.List(fields.UUID())
    date_from = fields.Integer(validate=validate.Range(min=-10_000, max=10_000))
    date_to = fields.Integer(validate=validate.Range(min=-10_000, max=10_000))
    has_media = fields.Boolean()
    reusable = fields.Boolean(
        metadata={"description": "true: only records free to reuse (public domain, CC0, BY, BY-SA)"}
    )
    rights = fields.List(
        fields.String(validate=validate.Length(max=200)),
        metadata={"description": "Rights statement or licence URIs (the `rights` facet's values)"},
    )
    sort = fields.String(
        load_default="relevance",
        validate=validate.OneOf(SORTS + [f"-{s}" for s in SORTS]),
    )
    lang = fields.String(validate=validate.Regexp(r"^[a-zA-Z]{2,3}(-\w+)*$"))


class FacetValue(Schema):
    value = fields.String()
    label = fields.String()
    count = fields.Integer()


class SearchPage(PageEnvelope):
    items = fields.List(fields.Dict(), metadata={"description": "Object summaries + highlights"})
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetValue)))
    suggestion = fields.String(allow_none=True)
