"""Media: the multipart fields of an upload, captions, and the media record as answered."""

from __future__ import annotations

import json

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields

from catalogue.schemas import rights as rights_list
from catalogue.schemas.text import refusal, text_errors


def upload_fields(form, default_language: str) -> dict:
    """The optional multipart fields of an upload (caption, rights, public, primary).

    Raises marshmallow's ValidationError with messages by field, as every schema does.
    """
    fields: dict = {}
    errors = text_errors({name: form[name] for name in ("caption", "rights") if name in form})
    for name in ("public", "primary"):
        value = form.get(name)
        if value is None or value == "":
            continue
        if value.lower() in ("true", "1", "yes", "on"):
            fields[name] = True
        elif value.lower() in ("false", "0", "no", "off"):
            fields[name] = False
        else:
            errors[name] = ["Must be true or false."]
    caption = form.get("caption")
    if caption and "caption" not in errors:
        try:
            parsed = json.loads(caption) if caption.lstrip().startswith("{") else caption
        except ValueError:
            parsed = None
        try:
            fields["caption"] = language_map(parsed, default_language)
        except ValueError as error:
            errors["caption"] = [str(error)]
        else:
            errors.update(text_errors(fields["caption"], "caption"))
    if form.get("rights"):
        fields["rights"] = form["rights"].strip()
    if form.get("rights_uri"):
        try:
            fields["rights_uri"] = rights_list.canonical(form["rights_uri"])
        except ValueError as error:
            errors["rights_uri"] = [str(error)]
    if errors:
        raise ValidationError(errors)
    return fields


def filename_problem(name: str | None) -> str | None:
    """Why a client's file name cannot be kept (it is stored as text), else None."""
    return refusal(name, "A file name") if name else None


def language_map(value, default_language: str) -> dict | None:
    """A caption as a language map; a plain text is taken as the default language."""
    if value is None:
        return None
    if isinstance(value, str):
        return {default_language: value}
    if isinstance(value, dict) and all(
        isinstance(k, str) and 2 <= len(k) <= 8 and isinstance(v, str) for k, v in value.items()
    ):
        return value
    raise ValueError('A caption is a text or a language map such as {"fr": "...", "en": "..."}.')


class MediaLinks(Schema):
    self = fields.String()
    object = fields.String()
    content = fields.String()
    thumbnail = fields.String(metadata={"description": "Images and documents only."})
    preview = fields.String(metadata={"description": "Images and documents only."})
    iiif = fields.String(metadata={"description": "The IIIF Image API info.json."})


class MediaUpload(Schema):
    """The multipart body of an upload, as documented (read by ``upload_fields``)."""

    file = Upload(required=True, metadata={"description": "An image, a PDF or another file."})
    caption = fields.String(
        metadata={"description": 'A text, or a language map as JSON: {"fr": "...", "en": "..."}.'}
    )
    rights = fields.String(metadata={"description": "A free-text note on the rights."})
    rights_uri = fields.String(
        metadata={"description": "A RightsStatements.org statement or Creative Commons licence."}
    )
    public = fields.Boolean(metadata={"description": "Shown to everyone (true) or to staff."})
    primary = fields.Boolean(metadata={"description": "The object's main image."})


class MediaOut(Schema):
    """A media record: one stored file of an object, with its derivatives' links."""

    id = fields.UUID()
    object_id = fields.UUID()
    position = fields.Integer()
    primary = fields.Boolean()
    public = fields.Boolean()
    caption = fields.Dict(keys=fields.String(), values=fields.String(), allow_none=True)
    rights = fields.String(allow_none=True)
    rights_uri = fields.String(allow_none=True)
    original_filename = fields.String(allow_none=True)
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    embedded = fields.Dict(metadata={"description": "Metadata read from the file (EXIF...)."})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    links = fields.Nested(MediaLinks)
