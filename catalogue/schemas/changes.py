"""Arguments and answers of the changes feed."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

# Entries per page of the changes feed: by default, and at most.
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class ChangesArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    since = fields.String(load_default=None, validate=validate.Length(max=40))
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT)
    )


class ChangeSetOut(Schema):
    id = fields.UUID()
    change = fields.String(metadata={"enum": ["added", "removed"]})


class ChangeOut(Schema):
    event = fields.String(
        metadata={"enum": ["created", "updated", "deleted", "published", "unpublished"]}
    )
    id = fields.UUID()
    object_number = fields.String()
    at = fields.String(metadata={"format": "date-time"})
    set = fields.Nested(
        ChangeSetOut,
        metadata={"description": "Present when the object entered or left a public set."},
    )


class ChangesOut(Schema):
    items = fields.List(fields.Nested(ChangeOut))
    cursor = fields.String(metadata={"description": "Pass back as `since` to continue."})
    next = fields.String(metadata={"description": "URL of the next page."})
    has_more = fields.Boolean()
