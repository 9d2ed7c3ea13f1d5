"""The museum catalogue service: ``create_app`` builds the Flask application."""

from __future__ import annotations

from flask import Flask, request
from flask_smorest import Api

from catalogue import config as settings
from catalogue.extensions import db, migrate

# Request bodies the API reads; uploads come as multipart/form-data.
BODY_TYPES = {"application/json", "application/merge-patch+json", "multipart/form-data"}


class CatalogueApi(Api):
    """flask-smorest's Api, with errors answered by the catalogue's problem+json handler."""

    def _register_error_handlers(self):
        # api.errors.register installs the handlers for every error, HTTP ones included.
        pass


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: embedded defaults, then the environment, then ``test_config``."""
    app = Flask(__name__, instance_path=str(settings.INSTANCE))
    config = settings.defaults()
    config.update(test_config or {})
    app.config.from_mapping(settings.finalise(config))

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
            "info": {"description": "Collections catalogue: objects, authorities, media, search."},
        },
    )
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    from catalogue.api import auth, authorities, docs, errors, health, objects, search

    api.register_blueprint(objects.blp)
    api.register_blueprint(search.blp)
    for blueprint in authorities.blueprints:
        api.register_blueprint(blueprint)
    app.register_blueprint(health.blp)
    app.register_blueprint(docs.blp)
    errors.register(app)
    auth.register(app)

    @app.before_request
    def _limit_json_bodies():
        if request.mimetype != "multipart/form-data":
            request.max_content_length = app.config["MAX_JSON_BYTES"]

    @app.before_request
    def _refuse_unreadable_bodies():
        # The API would otherwise read a body of another type as empty: a PATCH sent as
        # text/plain answered 200 having changed nothing.
        if (
            request.method in ("POST", "PUT", "PATCH")
            and request.path.startswith("/api/")
            and (request.content_length or request.mimetype)
            and request.mimetype not in BODY_TYPES
        ):
            from catalogue.api.errors import problem

            return problem(
                415,
                "Unsupported media type",
                "Send the body as application/json (or application/merge-patch+json for PATCH).",
            )
        return None

    from catalogue.services import search as search_service

    search_service.init_app(app)

    from catalogue import cli

    cli.register(app)
    return app
