"""``/oai``: the OAI-PMH 2.0 endpoint (GET and POST, as the protocol requires)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from catalogue.http.urls import base_url
from catalogue.services.oai import verbs as oai
from catalogue.services.oai.formats import Context

blp = Blueprint("oai", __name__)


def settings() -> oai.Settings:
    config = current_app.config
    return oai.Settings(
        repository_identifier=config["OAI_REPOSITORY_IDENTIFIER"],
        repository_name=config["INSTITUTION_NAME"],
        admin_email=config["OAI_ADMIN_EMAIL"],
        page_size=config["OAI_PAGE_SIZE"],
        context=Context(base_url(), config["INSTITUTION_NAME"], config["DEFAULT_LANGUAGE"]),
    )


@blp.route("/oai", methods=["GET", "POST"])
def endpoint():
    """Answer one OAI-PMH request; protocol errors are OAI-PMH errors with status 200."""
    args = request.form if request.method == "POST" else request.args
    body = oai.respond(settings(), args.to_dict(flat=False))
    return Response(body, mimetype="text/xml", content_type="text/xml; charset=utf-8")
