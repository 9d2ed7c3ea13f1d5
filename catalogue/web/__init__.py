"""Server-rendered pages: the public collection and the curators' workspace.

The pages call the same services as the JSON API. Forms are plain HTML that work without
JavaScript; every form carries a CSRF token, checked by the page blueprints only (the API
uses bearer tokens, which a browser never sends on its own).
"""

from __future__ import annotations

from flask import Flask
from flask_babel import Babel

from catalogue.extensions import csrf
from catalogue.web import i18n, rendering

babel = Babel()


def register(app: Flask) -> None:
    csrf.init_app(app)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(i18n.compile_catalogues(app))
    babel.init_app(app, locale_selector=i18n.select_locale)
    rendering.register(app)

    from catalogue.web import (
        admin,
        auth,
        curate,
        history,
        mediapanel,
        public,
        registrar,
        sets,
        vocabularies,
    )

    for module in (
        public,
        auth,
        curate,
        history,
        mediapanel,
        admin,
        vocabularies,
        sets,
        registrar,
    ):
        app.register_blueprint(module.bp)
