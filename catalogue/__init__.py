"""The museum catalogue service: ``create_app`` builds the Flask application."""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_smorest import Api
from werkzeug.middleware.proxy_fix import ProxyFix

from catalogue import config as settings
from catalogue.extensions import db, migrate


class CatalogueApi(Api):
    """flask-smorest's Api, with errors answered by the catalogue's problem+json handler."""

    def _register_error_handlers(self):
        # api.errors.register installs the handlers for every error, HTTP ones included.
        pass


class CachedSerializerSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, building the signer once rather than per request.

    Machine endpoints (the API, OAI-PMH, IIIF, Linked Art, health) identify callers by token
    only: they get no session, so no cookie is read, verified or sent for them.
    """

    SESSIONLESS = ("/api/", "/oai", "/iiif/", "/linked-art/", "/sitemap", "/healthz", "/readyz")

    def open_session(self, app, request):
        if request.path.startswith(self.SESSIONLESS):
            return self.make_null_session(app)
        return super().open_session(app, request)

    def get_signing_serializer(self, app):
        cached = app.extensions.get("session_serializer")
        if cached is None or cached[0] != app.secret_key:
            cached = (app.secret_key, super().get_signing_serializer(app))
            app.extensions["session_serializer"] = cached
        return cached[1]


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: embedded defaults, then the environment, then ``test_config``."""
    app = Flask(__name__, instance_path=str(settings.INSTANCE))
    config = settings.defaults()
    config.update(test_config or {})
    app.config.from_mapping(settings.finalise(config))

    from catalogue.api.http import overlong_url

    # First of all: an over-long URL is refused before anything else looks at the request.
    app.before_request(overlong_url)
    app.session_interface = CachedSerializerSessionInterface()
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(settings.ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )

    api = CatalogueApi(
        app,
        spec_kwargs={
            "info": {
                "description": "Collections catalogue: objects, authorities, media, search. "
                "Requests are counted per client address, or per token when one is sent; "
                "past the limit the answer is a 429 problem with Retry-After."
            },
        },
    )
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    from catalogue import follow_up, tasks
    from catalogue.api import (
        auth,
        authorities,
        batches,
        caching,
        docs,
        errors,
        exchange,
        feeds,
        health,
        iiif,
        jobs,
        linked_art,
        media,
        oai,
        objects,
        openapi,
        permissions,
        procedures,
        rate_limits,
        reconcile,
        search,
        sets,
    )
    from catalogue.api.http import unreadable_body
    from catalogue.http.uploads import UploadRequest

    openapi.register(api)
    app.request_class = UploadRequest
    follow_up.register(app)
    tasks.register(app)
    api.register_blueprint(objects.blp)
    api.register_blueprint(feeds.blp)
    app.register_blueprint(feeds.pages)
    app.register_blueprint(oai.blp)
    app.register_blueprint(linked_art.blp)
    app.register_blueprint(reconcile.blp)
    api.register_blueprint(search.blp)
    api.register_blueprint(exchange.imports_blp)
    api.register_blueprint(exchange.exports_blp)
    api.register_blueprint(jobs.blp)
    api.register_blueprint(media.blp)
    api.register_blueprint(sets.blp)
    api.register_blueprint(batches.blp)
    app.register_blueprint(iiif.blp)
    for blueprint in authorities.blueprints:
        api.register_blueprint(blueprint)
    for blueprint in procedures.BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.register_blueprint(health.blp)
    app.register_blueprint(docs.blp)
    errors.register(app)
    auth.register(app)
    # Once the caller is known: their requests are counted, then what they may call checked,
    # before any hook or argument parser reads the body.
    rate_limits.register(app)
    permissions.register(app)
    caching.register(app)

    from catalogue import web

    web.register(app)

    @app.before_request
    def _limit_json_bodies():
        if not request.environ.get("CONTENT_TYPE", "").lower().startswith("multipart/form-data"):
            request.max_content_length = app.config["MAX_JSON_BYTES"]

    app.before_request(unreadable_body)
    if app.config["TRUSTED_PROXIES"]:
        # The client's address as the proxies in front saw it (rate limits, sign-in throttle).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"])

    from catalogue import cli

    cli.register(app)
    return app


def main() -> None:
    """The ``catalogue`` command: Flask's commands and the catalogue's own."""
    from flask.cli import FlaskGroup

    FlaskGroup(create_app=create_app, help="The museum catalogue service.")()
