"""What a client may send for an object, and what it reads back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from edtf import parse_edtf
from edtf.parser.edtf_exceptions import EDTFParseException
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

from catalogue.models import Condition, Relation, Status
from catalogue.schemas import rights
from catalogue.schemas.common import (
    Input,
    LanguageMap,
    Pagination,
    ReadOnly,
    Ref,
    RefOut,
    Text,
    UTCDateTime,
)

LENGTH_UNITS = ("mm", "cm", "m", "km", "in", "ft")
MASS_UNITS = ("g", "kg", "t", "lb", "oz")
VOLUME_UNITS = ("ml", "l")
DIMENSION_UNITS = {
    "height": LENGTH_UNITS,
    "width": LENGTH_UNITS,
    "depth": LENGTH_UNITS,
    "length": LENGTH_UNITS,
    "diameter": LENGTH_UNITS,
    "thickness": LENGTH_UNITS,
    "circumference": LENGTH_UNITS,
    "wingspan": LENGTH_UNITS,
    "weight": MASS_UNITS,
    "volume": VOLUME_UNITS,
}
# Fields of a record that clients may send back as they read them; ignored on write.
READ_ONLY_FIELDS = (
    "id",
    "version",
    "created_at",
    "updated_at",
    "links",
    "media",
    "display",
    "location",
    "collection_status",
)
# The list fields of an object record that hold references to authorities.
REFERENCE_LISTS = (
    "materials",
    "techniques",
    "subjects",
    "associated_places",
    "associated_agents",
    "collections",
)
INSCRIPTION_TYPES = ("inscription", "mark", "signature", "stamp", "label", "stencil", "date")


@lru_cache(maxsize=4096)
def edtf_bounds(value: str) -> tuple[dt.date | None, dt.date | None]:
    """Earliest and latest dates an EDTF expression allows (None where it is open).

    Raises EDTFParseException for an invalid expression. Parsing is slow (tens of ms), and
    catalogues repeat the same dates, so results are cached.
    """
    parsed = parse_edtf(value)

    def to_date(struct) -> dt.date | None:
        try:
            return dt.date(struct.tm_year, struct.tm_mon, struct.tm_mday)
        except (AttributeError, ValueError, OverflowError):
            return None

    return to_date(parsed.lower_strict()), to_date(parsed.upper_strict())


class DateIn(Schema):
    display = Text(allow_none=True, validate=validate.Length(max=200))
    edtf = Text(allow_none=True, validate=validate.Length(max=100))
    earliest = fields.Date(allow_none=True)
    latest = fields.Date(allow_none=True)

    @validates("edtf")
    def _edtf(self, value, **kwargs):
        if not value:
            return
        try:
            edtf_bounds(value)
        except (EDTFParseException, ValueError, TypeError) as error:
            raise ValidationError(
                f"'{value}' is not a valid EDTF date (e.g. 1944, 1943-10/1944-07, 1944~)."
            ) from error

    @post_load
    def _derive(self, data, **kwargs):
        # With an EDTF date the range always follows it (so editing the EDTF alone keeps
        # them in step); earliest/latest are given by hand only for dates without EDTF.
        if data.get("edtf"):
            data["earliest"], data["latest"] = edtf_bounds(data["edtf"])
        earliest, latest = data.get("earliest"), data.get("latest")
        if earliest and latest and earliest > latest:
            raise ValidationError("The earliest date is after the latest.", "earliest")
        return data


class MakerIn(Schema):
    agent = fields.Nested(Ref, required=True)
    role = Text(allow_none=True, validate=validate.Length(max=200))


class ProductionIn(Schema):
    date = fields.Nested(DateIn, allow_none=True)
    place = fields.Nested(Ref, allow_none=True)
    makers = fields.List(fields.Nested(MakerIn), load_default=list)


class DimensionIn(Schema):
    type = fields.String(required=True, validate=validate.OneOf(tuple(DIMENSION_UNITS)))
    value = fields.Float(
        required=True, allow_nan=False, validate=validate.Range(min=0, min_inclusive=False)
    )
    unit = fields.String(required=True)
    note = Text(allow_none=True, validate=validate.Length(max=500))

    @validates_schema
    def _unit(self, data, **kwargs):
        units = DIMENSION_UNITS.get(data.get("type"))
        if units and data.get("unit") not in units:
            raise ValidationError(
                f"A {data['type']} is measured in one of: {', '.join(units)}.", "unit"
            )


class InscriptionIn(Schema):
    text = Text(required=True, validate=validate.Length(min=1, max=5000))
    type = fields.String(load_default="inscription", validate=validate.OneOf(INSCRIPTION_TYPES))
    position = Text(allow_none=True, validate=validate.Length(max=200))
    language = fields.String(allow_none=True, validate=validate.Regexp(r"^[a-zA-Z]{2,3}(-\w+)*$"))
    translation = LanguageMap(allow_none=True)


class RelatedIn(Schema):
    id = fields.UUID(required=True)
    relation = fields.Enum(Relation, load_default=Relation.related)
    object_number = ReadOnly()
    title = ReadOnly()
    status = ReadOnly()


class RightsUri(fields.Url):
    """A URI of the controlled list (``schemas.rights``), stored in the list's spelling."""

    def _deserialize(self, value, attr, data, **kwargs):
        uri = super()._deserialize(value, attr, data, **kwargs)
        try:
            return rights.canonical(uri)
        except ValueError as error:
            raise ValidationError(str(error)) from error


class RightsIn(Schema):
    statement = Text(allow_none=True, validate=validate.Length(max=2000))
    uri = RightsUri(
        allow_none=True,
        schemes={"http", "https"},
        metadata={"description": "A RightsStatements.org statement or Creative Commons licence."},
    )


class AcquisitionIn(Schema):
    method = Text(allow_none=True, validate=validate.Length(max=200))
    date = fields.Date(allow_none=True)
    source = Text(allow_none=True, validate=validate.Length(max=2000))
    source_contact = Text(allow_none=True, validate=validate.Length(max=2000))


# What the database's NUMERIC(14, 2) holds.
MAX_AMOUNT = Decimal("999999999999.99")


class ValuationIn(Schema):
    amount = fields.Decimal(
        required=True,
        as_string=True,
        places=2,
        metadata={
            "type": "string",
            "pattern": r"^\d{1,12}(\.\d{1,2})?$",
            "description": f"From 0 to {MAX_AMOUNT}, two decimals.",
        },
    )
    currency = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{3}$"))
    date = fields.Date(allow_none=True)

    @validates("amount")
    def _amount(self, value, **kwargs):
        # Checked here rather than with Range, whose bounds the API description would show
        # as strings (the amount is sent as a string).
        if not 0 <= value <= MAX_AMOUNT:
            raise ValidationError(f"Must be between 0 and {MAX_AMOUNT}.")


class ObjectIn(Input):
    """A whole object as sent with POST and PUT (and checked after a PATCH is applied)."""

    object_number = Text(
        required=True,
        validate=[validate.Length(min=1, max=100), validate.Regexp(r"^[^\s/?#][^?#]*$")],
    )
    status = fields.Enum(Status, load_default=Status.draft)
    object_type = fields.Nested(Ref, allow_none=True)
    title = LanguageMap(required=True)
    description = LanguageMap(allow_none=True)
    production = fields.Nested(ProductionIn, allow_none=True)
    materials = fields.List(fields.Nested(Ref), load_default=list)
    techniques = fields.List(fields.Nested(Ref), load_default=list)
    subjects = fields.List(fields.Nested(Ref), load_default=list)
    dimensions = fields.List(fields.Nested(DimensionIn), load_default=list)
    inscriptions = fields.List(fields.Nested(InscriptionIn), load_default=list)
    associated_places = fields.List(fields.Nested(Ref), load_default=list)
    associated_agents = fields.List(fields.Nested(Ref), load_default=list)
    collections = fields.List(fields.Nested(Ref), load_default=list)
    related_objects = fields.List(fields.Nested(RelatedIn), load_default=list)
    credit_line = LanguageMap(allow_none=True)
    rights = fields.Nested(RightsIn, allow_none=True)
    acquisition = fields.Nested(AcquisitionIn, allow_none=True)
    valuation = fields.Nested(ValuationIn, allow_none=True)
    internal_notes = Text(allow_none=True, validate=validate.Length(max=20_000))
    # Read-only: accepted so a client can PUT back what it read, and ignored.
    id = ReadOnly()
    version = ReadOnly()
    created_at = ReadOnly()
    updated_at = ReadOnly()
    links = ReadOnly()
    media = ReadOnly()
    display = ReadOnly()
    location = ReadOnly(metadata={"description": "Set by recording a movement."})
    collection_status = ReadOnly(
        metadata={"description": "Set by procedures (accession, exit, loans)."}
    )

    @validates("title")
    def _title(self, value, **kwargs):
        if not value:
            raise ValidationError("Give a title in at least one language.")

    @post_load
    def _drop_read_only(self, data, **kwargs):
        for name in READ_ONLY_FIELDS:
            data.pop(name, None)
        return data


class ObjectListArgs(Pagination):
    class Meta:
        unknown = EXCLUDE

    status = fields.Enum(Status)
    object_type = fields.UUID()
    collection = fields.UUID()
    updated_since = UTCDateTime()
    has_media = fields.Boolean()
    sort = fields.String(
        load_default="object_number",
        validate=validate.OneOf(
            ["object_number", "-object_number", "updated", "-updated", "created", "-created"]
        ),
    )
    lang = fields.String(validate=validate.Regexp(r"^[a-zA-Z]{2,3}(-\w+)*$"))


class LangArgs(Input):
    class Meta:
        unknown = EXCLUDE

    lang = fields.String(validate=validate.Regexp(r"^[a-zA-Z]{2,3}(-\w+)*$"))


class ObjectOut(Schema):
    """An object as read (staff-only fields appear for curators and admins only)."""

    id = fields.UUID()
    object_number = fields.String()
    status = fields.Enum(Status)
    object_type = fields.Nested(RefOut, allow_none=True)
    title = fields.Dict()
    description = fields.Dict(allow_none=True)
    production = fields.Dict(allow_none=True)
    materials = fields.List(fields.Nested(RefOut))
    techniques = fields.List(fields.Nested(RefOut))
    subjects = fields.List(fields.Nested(RefOut))
    dimensions = fields.List(fields.Dict())
    inscriptions = fields.List(fields.Dict())
    associated_places = fields.List(fields.Nested(RefOut))
    associated_agents = fields.List(fields.Nested(RefOut))
    collections = fields.List(fields.Nested(RefOut))
    related_objects = fields.List(fields.Dict())
    credit_line = fields.Dict(allow_none=True)
    rights = fields.Dict(allow_none=True)
    acquisition = fields.Dict(allow_none=True)
    valuation = fields.Dict(metadata={"description": "Staff only."})
    location = fields.Nested(RefOut, metadata={"description": "Staff only."})
    internal_notes = fields.String(metadata={"description": "Staff only."})
    collection_status = fields.String(
        metadata={
            "description": "in-collection, on-loan-out, exited or deaccessioned; set by procedures."
        }
    )
    media = fields.List(fields.Dict())
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    links = fields.Dict()
    display = fields.Dict(metadata={"description": "With ?lang=: texts in that language."})


class ObjectPage(Schema):
    items = fields.List(fields.Nested(ObjectOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    next = fields.String(allow_none=True)
    prev = fields.String(allow_none=True)


class VersionSummary(Schema):
    number = fields.Integer()
    created_at = fields.DateTime()
    created_by = fields.String(allow_none=True)
    changed = fields.List(fields.String())
    note = fields.String(allow_none=True)
    batch = fields.String(allow_none=True, metadata={"description": "The batch that saved it."})


class VersionOut(VersionSummary):
    record = fields.Nested(ObjectOut)


class VersionPage(ObjectPage):
    items = fields.List(fields.Nested(VersionSummary))


class MovementIn(Input):
    to_location = fields.Nested(Ref, required=True)
    moved_at = UTCDateTime(load_default=None)
    reason = Text(allow_none=True, validate=validate.Length(max=2000))
    # Read-only in answers.
    id = ReadOnly()
    from_location = ReadOnly()
    moved_by = ReadOnly()


class MovementOut(Schema):
    id = fields.UUID()
    from_location = fields.Nested(RefOut, allow_none=True)
    to_location = fields.Nested(RefOut)
    moved_at = fields.DateTime()
    reason = fields.String(allow_none=True)
    moved_by = fields.String(allow_none=True)


class ConditionCheckIn(Input):
    checked_at = UTCDateTime(load_default=None)
    condition = fields.Enum(Condition, required=True)
    notes = Text(allow_none=True, validate=validate.Length(max=20_000))
    id = ReadOnly()
    checked_by = ReadOnly()


class ConditionCheckOut(Schema):
    id = fields.UUID()
    checked_at = fields.DateTime()
    condition = fields.Enum(Condition)
    notes = fields.String(allow_none=True)
    checked_by = fields.String(allow_none=True)


class MovementPage(ObjectPage):
    items = fields.List(fields.Nested(MovementOut))


class ConditionCheckPage(ObjectPage):
    items = fields.List(fields.Nested(ConditionCheckOut))
