"""Authorities and vocabularies on the wire: terms, agents, places, collections, locations."""

from __future__ import annotations

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from catalogue.models import AgentKind, LocationKind, Vocabulary
from catalogue.schemas.common import Input, LanguageMap, Pagination, ReadOnly, Ref, Text

# Sent back as read, ignored on write.
READ_ONLY_FIELDS = ("id", "created_at", "updated_at", "links", "display", "path")


class AuthorityIn(Input):
    label = LanguageMap(required=True)
    uri = fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=500))
    id = ReadOnly()
    created_at = ReadOnly()
    updated_at = ReadOnly()
    links = ReadOnly()
    display = ReadOnly()

    @validates_schema
    def _label(self, data, **kwargs):
        if "label" in data and not data["label"]:
            raise ValidationError("Give a label in at least one language.", "label")

    @post_load
    def _drop_read_only(self, data, **kwargs):
        for name in READ_ONLY_FIELDS:
            data.pop(name, None)
        return data


class TermIn(AuthorityIn):
    vocabulary = fields.Enum(Vocabulary, required=True)
    scope_note = LanguageMap(allow_none=True)


class AgentIn(AuthorityIn):
    kind = fields.Enum(AgentKind, required=True)
    dates = Text(allow_none=True, validate=validate.Length(max=200))
    biography = LanguageMap(allow_none=True)


class PlaceIn(AuthorityIn):
    latitude = fields.Decimal(allow_none=True, places=6, validate=validate.Range(min=-90, max=90))
    longitude = fields.Decimal(
        allow_none=True, places=6, validate=validate.Range(min=-180, max=180)
    )

    @validates_schema
    def _pair(self, data, **kwargs):
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError("Give both latitude and longitude, or neither.", "latitude")


class CollectionIn(AuthorityIn):
    description = LanguageMap(allow_none=True)


class LocationIn(AuthorityIn):
    kind = fields.Enum(LocationKind, required=True)
    parent = fields.Nested(Ref, allow_none=True)
    path = ReadOnly()


AUTHORITY_INPUT = {
    "terms": TermIn,
    "agents": AgentIn,
    "places": PlaceIn,
    "collections": CollectionIn,
    "locations": LocationIn,
}


class AuthorityOut(Schema):
    id = fields.UUID()
    label = fields.Dict(keys=fields.String(), values=fields.String())
    uri = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    vocabulary = fields.Enum(Vocabulary, metadata={"description": "Terms only."})
    kind = fields.String(metadata={"description": "Agents and locations."})
    dates = fields.String(allow_none=True, metadata={"description": "Agents only."})
    latitude = fields.Float(allow_none=True, metadata={"description": "Places only."})
    longitude = fields.Float(allow_none=True, metadata={"description": "Places only."})
    description = fields.Dict(allow_none=True, metadata={"description": "Collections only."})
    parent = fields.Dict(allow_none=True, metadata={"description": "Locations only."})
    objects = fields.Integer(metadata={"description": "How many objects you may see use it."})


class AuthorityPage(Schema):
    items = fields.List(fields.Nested(AuthorityOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    next = fields.String(allow_none=True)
    prev = fields.String(allow_none=True)


class AuthorityListArgs(Pagination):
    class Meta:
        unknown = EXCLUDE

    q = Text(
        validate=validate.Length(max=200),
        metadata={
            "description": "A label text (any language) contains it, case and accents aside; "
            "% and _ are plain characters."
        },
    )
    vocabulary = fields.Enum(Vocabulary, metadata={"description": "Terms only."})
    kind = fields.String(
        validate=validate.OneOf([*AgentKind, *LocationKind]),
        metadata={"description": "Agents and locations."},
    )
    uri = Text(validate=validate.Length(max=500), metadata={"description": "Exact outside URI."})
    lang = fields.String(validate=validate.Regexp(r"^[a-zA-Z]{2,3}(-\w+)*$"))
