"""What every template may use: the caller, the language, texts from language maps."""

from __future__ import annotations

import html

from flask import Flask, current_app, g, request, url_for
from flask_babel import get_locale, gettext
from markupsafe import Markup, escape

from catalogue.services import labels
from catalogue.services.identity import ANONYMOUS
from catalogue.web import display
from catalogue.web.i18n import languages


def pick(value, lang: str | None = None) -> str:
    """One text from a language map: the interface language, the default one, or any."""
    text = labels.pick(value, lang or str(get_locale()), current_app.config["DEFAULT_LANGUAGE"], "")
    return str(text)


def label(reference) -> str:
    return pick(reference.get("label")) if reference else ""


def highlight(fragment: str) -> Markup:
    """A search highlight with only its ``<mark>`` tags kept as HTML; all else is text."""
    text = str(escape(html.unescape(fragment or "")))
    marked = text.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>")
    return Markup(marked)  # noqa: S704 (escaped above; only the mark tags are restored)


def page_url(**changes) -> str:
    """This page's URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict(flat=False)
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = [str(value)]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def map_point(place: dict) -> dict:
    """A place of a search's results as a map marker: its label, count and filtered search."""
    return {
        "label": pick(place["label"]) if isinstance(place["label"], dict) else place["label"],
        "latitude": place["latitude"],
        "longitude": place["longitude"],
        "count": place["count"],
        "url": page_url(place=place["id"], page=None),
    }


def errors_for(errors: dict, name: str) -> list[str]:
    """Messages for a field or a group of fields (``name`` and the paths under it)."""
    found: list[str] = []
    for path, messages in (errors or {}).items():
        if path == name or path.startswith(name + "."):
            found.extend(messages)
    return found


def chosen_first(options, chosen) -> list[tuple[str, str]]:
    """Options with the chosen ones first, in the record's order (a list keeps its order)."""
    by_value = dict(options)
    first = [(value, by_value[value]) for value in chosen if value in by_value]
    return first + [option for option in options if option[0] not in chosen]


def zip_labels(values) -> list[tuple[str, str]]:
    """Option values with their translated names, for select lists of fixed words."""
    return [(str(value), gettext(str(value))) for value in values]


def register(app: Flask) -> None:
    app.jinja_env.filters["lm"] = pick
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["highlight"] = highlight
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.filters["map_point"] = map_point
    app.jinja_env.globals["errors_for"] = errors_for
    app.jinja_env.globals["chosen_first"] = chosen_first
    app.jinja_env.filters["zip_labels"] = zip_labels
    app.jinja_env.filters["role"] = display.role
    app.jinja_env.filters["date_text"] = display.date_text
    app.jinja_env.filters["in_language"] = display.in_language
    app.jinja_env.filters["rights_info"] = display.rights
    app.jinja_env.globals["joined"] = display.joined
    app.jinja_env.globals["today"] = display.today
    app.jinja_env.globals["rights_options"] = display.rights_options
    app.jinja_env.filters["authority_source"] = display.authority_source

    @app.context_processor
    def _page_context():
        return {
            "me": g.get("web_identity", ANONYMOUS),
            "lang": str(get_locale()),
            "languages": languages(),
            "institution": current_app.config["INSTITUTION_NAME"],
        }
