"""Fields and small schemas shared by every resource."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from flask import current_app, has_app_context
from marshmallow import (
    EXCLUDE,
    INCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
)

from catalogue.schemas.text import refusal, text_errors

LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_TEXT = 100_000


def default_language() -> str:
    return current_app.config["DEFAULT_LANGUAGE"] if has_app_context() else "fr"


def _clean(value: str) -> str:
    reason = refusal(value)
    if reason:
        raise ValidationError(reason)
    if len(value) > MAX_TEXT:
        raise ValidationError(f"Text is longer than {MAX_TEXT} characters.")
    return value.strip()


class Input(Schema):
    """An input schema: before any field, every text it reads (field names included) is
    checked against the characters the catalogue refuses (``schemas.text``), so each field
    of every input, whatever its type, is held to the same rule, by its field path.

    With ``unknown = EXCLUDE`` (query arguments) only the fields the schema reads are checked,
    but those named in ``checked_elsewhere``.
    """

    checked_elsewhere: tuple[str, ...] = ()

    @pre_load
    def _refuse_characters(self, data, **kwargs):
        if isinstance(data, Mapping) and self.unknown == EXCLUDE:
            names = {field.data_key or name for name, field in self.load_fields.items()}
            names -= set(self.checked_elsewhere)
            errors = text_errors({key: data[key] for key in data if key in names})
        else:
            errors = text_errors(data)
        if errors:
            raise ValidationError(errors)
        return data


class Text(fields.String):
    """A string without refused characters, stripped of surrounding white space."""

    def _deserialize(self, value, attr, data, **kwargs):
        return _clean(super()._deserialize(value, attr, data, **kwargs))


class UTCDateTime(fields.AwareDateTime):
    """An ISO 8601 date and time, loaded in UTC (without an offset it is taken as UTC)."""

    default_error_messages = {"range": "Not a date and time that exists in UTC."}

    def __init__(self, **kwargs):
        super().__init__(default_timezone=dt.UTC, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> dt.datetime:
        value = super()._deserialize(value, attr, data, **kwargs)
        try:
            # 0001-01-01T00:00+04:00 is valid ISO 8601 but falls before year 1 in UTC.
            return value.astimezone(dt.UTC)
        except OverflowError as error:
            raise self.make_error("range") from error


class LanguageMap(fields.Field):
    """Human-readable text in several languages: ``{"fr": "...", "en": "..."}``.

    A plain string is stored under the default language; empty values are dropped.
    """

    default_error_messages = {
        "invalid": "Give a string or an object mapping language tags to strings.",
        "tag": "'{tag}' is not a language tag (BCP 47, such as 'fr' or 'en-GB').",
    }

    def _deserialize(self, value: Any, attr, data, **kwargs) -> dict[str, str] | None:
        if isinstance(value, str):
            value = {default_language(): value}
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        result: dict[str, str] = {}
        for tag, text in value.items():
            if not isinstance(tag, str) or not LANGUAGE_TAG.match(tag):
                raise self.make_error("tag", tag=str(tag)[:20])
            if text is None:
                continue
            if not isinstance(text, str):
                raise self.make_error("invalid")
            try:
                text = _clean(text)
            except ValidationError as error:
                raise ValidationError({tag: error.messages}) from error
            if text:
                result[tag.lower() if "-" not in tag else tag] = text
        return result or None

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class Ref(Schema):
    """A reference to an authority: ``{"id"}`` on write; ``label`` and ``uri`` are ignored."""

    id = fields.UUID(required=True)
    # As read back: most references have no outside URI, so null must be accepted too.
    label = fields.Raw(load_only=True, allow_none=True)
    uri = fields.Raw(load_only=True, allow_none=True)

    @post_load
    def _only_id(self, data, **kwargs):
        return data["id"]


class ReadOnly(fields.Raw):
    """A field clients may send back as they read it; its value is ignored on write."""

    def __init__(self, **kwargs):
        super().__init__(load_only=True, allow_none=True, **kwargs)


class Pagination(Input):
    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class PageEnvelope(Schema):
    """The list envelope of the contract (items are described by each endpoint)."""

    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    next = fields.String(allow_none=True)
    prev = fields.String(allow_none=True)


class RefOut(Schema):
    id = fields.UUID()
    label = fields.Dict(keys=fields.String(), values=fields.String())
    uri = fields.String(allow_none=True)


class MergePatch(Schema):
    """A JSON merge patch (RFC 7396) of the resource: ``null`` removes a field."""

    class Meta:
        unknown = INCLUDE


class Problem(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


def flatten_messages(messages, prefix: str = "") -> dict[str, list[str]]:
    """Nested validation messages as a flat ``{"field.path": [messages]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = (
                prefix
                if key == "_schema" and prefix
                else (f"{prefix}.{key}" if prefix else str(key))
            )
            for sub, msgs in flatten_messages(value, path).items():
                flat.setdefault(sub, []).extend(msgs)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[prefix or "_schema"] = list(messages)
    elif isinstance(messages, list):
        for i, value in enumerate(messages):
            flat.update(flatten_messages(value, f"{prefix}.{i}" if prefix else str(i)))
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat
