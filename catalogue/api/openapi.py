"""What the OpenAPI document says of the catalogue's own fields, beyond apispec's defaults."""

from __future__ import annotations

from flask_smorest import Api

from catalogue.schemas.common import LanguageMap

LANGUAGE_MAP = {
    "oneOf": [
        {"type": "string"},
        {"type": "object", "additionalProperties": {"type": "string", "nullable": True}},
    ],
    "description": "A text in several languages, keyed by language tag "
    '({"fr": "...", "en": "..."}); a plain string is taken as the default language.',
}


def numeric_bounds(converter, field, ret, **kwargs) -> dict:
    """Range bounds as JSON numbers: apispec writes them as the field serializes them, which
    for a Decimal is a string ("0.00"), not a valid ``minimum``."""
    return {
        key: float(ret[key])
        for key in ("minimum", "maximum")
        if key in ret and not isinstance(ret[key], int | float)
    }


def language_maps(converter, field, ret, **kwargs) -> dict:
    """A language map is a string or an object of strings (apispec would say nothing)."""
    if not isinstance(field, LanguageMap):
        return {}
    return dict(LANGUAGE_MAP, description=ret.get("description", LANGUAGE_MAP["description"]))


def register(api: Api) -> None:
    converter = api.ma_plugin.converter
    converter.add_attribute_function(numeric_bounds)
    converter.add_attribute_function(language_maps)
