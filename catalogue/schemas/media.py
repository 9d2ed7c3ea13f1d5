"""Input of media uploads and changes: multipart fields and captions."""

from __future__ import annotations

import json

from catalogue.services.errors import ValidationFailed


def upload_fields(form, default_language: str) -> dict:
    """The optional multipart fields of an upload (caption, rights, public, primary)."""
    fields: dict = {}
    errors: dict[str, list[str]] = {}
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
    if caption:
        try:
            parsed = json.loads(caption) if caption.lstrip().startswith("{") else caption
        except ValueError:
            parsed = None
        try:
            fields["caption"] = language_map(parsed, default_language)
        except ValueError as error:
            errors["caption"] = [str(error)]
    if form.get("rights"):
        fields["rights"] = form["rights"].strip()
    if errors:
        raise ValidationFailed(errors)
    return fields


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
