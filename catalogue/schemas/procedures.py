"""What a client may send for a procedure (entries, acquisitions, audits, exits), and reads back."""

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

from catalogue.schemas.common import (
    Input,
    LanguageMap,
    Pagination,
    ReadOnly,
    Ref,
    Text,
)
from catalogue.schemas.objects import ValuationIn

ENTRY_REASONS = (
    "acquisition-consideration",
    "loan-in",
    "enquiry",
    "identification",
    "return",
    "deposit",
    "conservation",
)
ACQUISITION_METHODS = (
    "purchase",
    "gift",
    "bequest",
    "transfer",
    "field-collection",
    "exchange",
    "found-in-collection",
)
EXIT_REASONS = ("return-to-owner", "deaccession", "transfer", "destruction", "theft", "loss")
AUDIT_RESULTS = ("found", "missing", "found-elsewhere")
# Fields of every procedure that clients may send back as they read them; ignored on write.
READ_ONLY = (
    "id",
    "kind",
    "status",
    "version",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "transitions",
    "links",
)
NUMBER = [validate.Length(min=1, max=100), validate.Regexp(r"^[^\s/?#][^?#/]*$")]


class ObjectRefIn(Schema):
    """An object: ``{"id"}`` of an existing one; ``object_number``, ``title`` as read back
    are ignored."""

    id = fields.UUID(required=True)
    object_number = ReadOnly()
    title = ReadOnly()
    status = ReadOnly()
    collection_status = ReadOnly()

    @post_load
    def _only_id(self, data, **kwargs):
        return data["id"]


class NewObjectIn(Schema):
    """An object arriving with an entry and not catalogued yet: a draft is created with a
    temporary number. Without ``title`` it names an existing object by ``id``."""

    id = fields.UUID()
    title = LanguageMap()
    description = LanguageMap(allow_none=True)
    object_number = ReadOnly()
    status = ReadOnly()
    collection_status = ReadOnly()

    @validates_schema
    def _one_of(self, data, **kwargs):
        if not data.get("id") and not data.get("title"):
            raise ValidationError("Give the id of an object, or the title of a new one.")


class ApprovalIn(Schema):
    by = Text(allow_none=True, validate=validate.Length(max=300))
    date = fields.Date(allow_none=True)
    decision = Text(allow_none=True, validate=validate.Length(max=5000))


class PriceIn(ValuationIn):
    """An amount and its currency (staff only, as every procedure)."""

    class Meta:
        exclude = ("date",)


class ProcedureIn(Input):
    """What every procedure has."""

    number = Text(allow_none=True, validate=NUMBER)
    notes = LanguageMap(allow_none=True)
    id = ReadOnly()
    kind = ReadOnly()
    status = ReadOnly()
    version = ReadOnly()
    created_at = ReadOnly()
    updated_at = ReadOnly()
    created_by = ReadOnly()
    updated_by = ReadOnly()
    transitions = ReadOnly()
    links = ReadOnly()

    @post_load
    def _drop_read_only(self, data, **kwargs):
        for name in READ_ONLY:
            data.pop(name, None)
        return data


class EntryIn(ProcedureIn):
    reason = fields.String(required=True, validate=validate.OneOf(ENTRY_REASONS))
    depositor = fields.Nested(Ref, allow_none=True)
    owner = fields.Nested(Ref, allow_none=True)
    entry_date = fields.Date(allow_none=True)
    return_date = fields.Date(allow_none=True)
    condition = Text(allow_none=True, validate=validate.Length(max=20_000))
    objects = fields.List(fields.Nested(NewObjectIn), load_default=list)

    @validates_schema
    def _dates(self, data, **kwargs):
        entry, back = data.get("entry_date"), data.get("return_date")
        if entry and back and back < entry:
            raise ValidationError("The return date is before the entry date.", "return_date")


class AcquisitionProcedureIn(ProcedureIn):
    method = fields.String(required=True, validate=validate.OneOf(ACQUISITION_METHODS))
    source = fields.Nested(Ref, allow_none=True)
    offer_date = fields.Date(allow_none=True)
    decision_date = fields.Date(allow_none=True)
    transfer_date = fields.Date(allow_none=True)
    price = fields.Nested(PriceIn, allow_none=True)
    funding = Text(allow_none=True, validate=validate.Length(max=5000))
    approval = fields.Nested(ApprovalIn, allow_none=True)
    objects = fields.List(fields.Nested(ObjectRefIn), load_default=list)
    accession_numbers = ReadOnly()

    @post_load
    def _drop_accession_numbers(self, data, **kwargs):
        data.pop("accession_numbers", None)
        return data


class AuditIn(ProcedureIn):
    locations = fields.List(
        fields.Nested(Ref), required=True, validate=validate.Length(min=1, max=200)
    )
    expected = ReadOnly()
    items = ReadOnly()
    discrepancies = ReadOnly()
    objects = ReadOnly()

    @post_load
    def _drop_audit_read_only(self, data, **kwargs):
        for name in ("expected", "items", "discrepancies", "objects"):
            data.pop(name, None)
        return data


class ExitIn(ProcedureIn):
    reason = fields.String(required=True, validate=validate.OneOf(EXIT_REASONS))
    method = Text(allow_none=True, validate=validate.Length(max=500))
    recipient = fields.Nested(Ref, allow_none=True)
    exit_date = fields.Date(allow_none=True)
    approval = fields.Nested(ApprovalIn, allow_none=True)
    objects = fields.List(fields.Nested(ObjectRefIn), load_default=list)


class TransitionIn(Input):
    to = fields.String(required=True, validate=validate.Length(min=1, max=40))
    note = Text(allow_none=True, validate=validate.Length(max=2000))
    record_movements = fields.Boolean(
        load_default=False,
        metadata={"description": "Audits: record a movement for each object found elsewhere."},
    )


class AuditItemIn(Input):
    object = fields.Nested(Ref, required=True)
    result = fields.String(required=True, validate=validate.OneOf(AUDIT_RESULTS))
    location = fields.Nested(Ref, allow_none=True)
    note = Text(allow_none=True, validate=validate.Length(max=2000))

    @validates_schema
    def _location(self, data, **kwargs):
        if data.get("result") == "found-elsewhere" and not data.get("location"):
            raise ValidationError("Say where the object was found.", "location")
        if data.get("result") != "found-elsewhere" and data.get("location"):
            raise ValidationError("A location is given only for found-elsewhere.", "location")


class ProcedureListArgs(Pagination):
    class Meta:
        unknown = EXCLUDE

    status = fields.String(validate=validate.Length(max=40))
    object = fields.UUID()
    date_from = fields.Date()
    date_to = fields.Date()
    format = fields.String(validate=validate.OneOf(("json", "csv")), load_default="json")


class ChangesArgs(Input):
    class Meta:
        unknown = EXCLUDE

    since = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**62))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class ProcedureOut(Schema):
    """A procedure as staff read it; each kind adds its own fields (see docs/procedures.md)."""

    class Meta:
        unknown = EXCLUDE

    id = fields.UUID()
    kind = fields.String()
    number = fields.String()
    status = fields.String()
    notes = fields.Dict(allow_none=True)
    objects = fields.List(fields.Dict())
    transitions = fields.List(fields.Dict())
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    created_by = fields.String(allow_none=True)
    updated_by = fields.String(allow_none=True)
    links = fields.Dict()


class ProcedurePage(Schema):
    items = fields.List(fields.Nested(ProcedureOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    next = fields.String(allow_none=True)
    prev = fields.String(allow_none=True)


class BiographyItem(Schema):
    kind = fields.String()
    id = fields.UUID()
    number = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    date = fields.String(allow_none=True)


class Biography(Schema):
    items = fields.List(fields.Nested(BiographyItem))


class ProcedureVersionSummary(Schema):
    number = fields.Integer()
    created_at = fields.DateTime()
    created_by = fields.String(allow_none=True)
    changed = fields.List(fields.String())
    note = fields.String(allow_none=True)


class ProcedureVersionOut(ProcedureVersionSummary):
    record = fields.Nested(ProcedureOut)


class ProcedureVersionPage(ProcedurePage):
    items = fields.List(fields.Nested(ProcedureVersionSummary))
