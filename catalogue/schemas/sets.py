"""Sets: input (a set, members to add, the members' order, a note) and answer shapes."""

from __future__ import annotations

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
    validates_schema,
)

from catalogue.models import Visibility
from catalogue.schemas.common import Input, LanguageMap, Pagination, ReadOnly, Text
from catalogue.schemas.objects import VersionSummary

# Most members one set holds (a search adds at most this many).
MAX_MEMBERS = 10_000
MAX_NOTE = 10_000
READ_ONLY_FIELDS = (
    "id",
    "owner",
    "member_count",
    "version",
    "created_at",
    "updated_at",
    "links",
    "display",
)
# The search endpoint's filters a search may give when adding its results to a set.
SEARCH_FILTERS = (
    "object_type",
    "material",
    "collection",
    "maker",
    "place",
    "date_from",
    "date_to",
    "has_media",
    "status",
)


class SetIn(Input):
    """A whole set as sent with POST and PUT (and checked after a PATCH is applied)."""

    title = LanguageMap(required=True)
    description = LanguageMap(allow_none=True, load_default=None)
    visibility = fields.Enum(Visibility, load_default=Visibility.private)
    id = ReadOnly()
    owner = ReadOnly()
    member_count = ReadOnly()
    version = ReadOnly()
    created_at = ReadOnly()
    updated_at = ReadOnly()
    links = ReadOnly()
    display = ReadOnly()

    @validates("title")
    def _title(self, value, **kwargs):
        if not value:
            raise ValidationError("Give a title in at least one language.")

    @post_load
    def _drop_read_only(self, data, **kwargs):
        for name in READ_ONLY_FIELDS:
            data.pop(name, None)
        return data


Note = Text(allow_none=True, validate=validate.Length(max=MAX_NOTE))


class MemberRef(Input):
    """An object by id, with an optional note (``label``-like read fields are ignored)."""

    id = fields.UUID(required=True)
    note = Text(allow_none=True, validate=validate.Length(max=MAX_NOTE))
    object_number = ReadOnly()
    title = ReadOnly()
    status = ReadOnly()
    position = ReadOnly()


class MembersAdd(Input):
    """``{"objects": [{"id"}...]}``, ``{"object_numbers": [...]}`` or ``{"query", "filters"}``."""

    objects = fields.List(
        fields.Nested(MemberRef), validate=validate.Length(min=1, max=MAX_MEMBERS)
    )
    object_numbers = fields.List(
        Text(validate=validate.Length(min=1, max=100)),
        validate=validate.Length(min=1, max=MAX_MEMBERS),
    )
    query = fields.String(validate=validate.Length(max=1000))
    filters = fields.Dict(keys=fields.String(), load_default=dict)
    note = Text(allow_none=True, validate=validate.Length(max=MAX_NOTE))

    @validates_schema
    def _one_way(self, data, **kwargs):
        given = [name for name in ("objects", "object_numbers", "query") if name in data]
        if len(given) != 1:
            raise ValidationError(
                "Give exactly one of 'objects', 'object_numbers' or 'query'.", "_schema"
            )
        if data.get("filters") and "query" not in data:
            raise ValidationError("'filters' go with a 'query'.", "filters")
        unknown = sorted(set(data.get("filters") or {}) - set(SEARCH_FILTERS))
        if unknown:
            raise ValidationError(f"Unknown filter: {', '.join(unknown)}.", "filters")


class MembersOrder(Input):
    """The whole order of the members the caller sees: ``{"objects": [{"id"}...]}``."""

    objects = fields.List(
        fields.Nested(MemberRef), required=True, validate=validate.Length(max=MAX_MEMBERS)
    )


class MemberNote(Input):
    note = Text(required=True, allow_none=True, validate=validate.Length(max=MAX_NOTE))


class SetListArgs(Pagination):
    class Meta:
        unknown = EXCLUDE

    visibility = fields.Enum(Visibility)
    mine = fields.Boolean(metadata={"description": "Only the sets you own."})
    object = fields.UUID(metadata={"description": "Only the sets holding this object."})
    lang = fields.String(validate=validate.Regexp(r"^[a-zA-Z]{2,3}(-\w+)*$"))


class SetArgs(Input):
    class Meta:
        unknown = EXCLUDE

    lang = fields.String(validate=validate.Regexp(r"^[a-zA-Z]{2,3}(-\w+)*$"))


class MemberListArgs(Pagination):
    class Meta:
        unknown = EXCLUDE

    lang = fields.String(validate=validate.Regexp(r"^[a-zA-Z]{2,3}(-\w+)*$"))


class OwnerOut(Schema):
    id = fields.UUID()
    email = fields.String(metadata={"description": "For signed-in callers."})


class SetOut(Schema):
    id = fields.UUID()
    title = fields.Dict(keys=fields.String(), values=fields.String())
    description = fields.Dict(keys=fields.String(), values=fields.String(), allow_none=True)
    visibility = fields.Enum(Visibility)
    owner = fields.Nested(OwnerOut)
    member_count = fields.Integer(metadata={"description": "Members the caller may see."})
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    links = fields.Dict()
    display = fields.Dict(metadata={"description": "With ?lang=: texts in that language."})


class SetPage(Schema):
    items = fields.List(fields.Nested(SetOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    next = fields.String(allow_none=True)
    prev = fields.String(allow_none=True)


class MemberOut(Schema):
    id = fields.UUID()
    object_number = fields.String()
    title = fields.Dict(keys=fields.String(), values=fields.String())
    status = fields.String()
    note = fields.String(allow_none=True)
    position = fields.Integer()
    media = fields.List(fields.Dict())
    links = fields.Dict()


class MemberPage(SetPage):
    items = fields.List(fields.Nested(MemberOut))


class SetVersionOut(VersionSummary):
    record = fields.Dict()


class SetVersionPage(SetPage):
    items = fields.List(fields.Nested(VersionSummary))
