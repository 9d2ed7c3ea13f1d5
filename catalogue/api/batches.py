"""``/api/v1/batches``: one change to many objects, previewed, run in the background, undone.

Curators and admins only: reading a batch, anyone else is told it does not exist (404);
writes answer 401/403 before the body is read, as every write does."""

from __future__ import annotations

import uuid

from flask.views import MethodView
from flask_smorest import Blueprint

from catalogue.api.errors import documented
from catalogue.api.http import envelope, identity, json_response
from catalogue.api.permissions import staff_only
from catalogue.schemas.batches import (
    BatchArgs,
    BatchIn,
    BatchOut,
    BatchPage,
    ItemListArgs,
    ItemPage,
)
from catalogue.schemas.common import Pagination
from catalogue.services.batches import create, read

blp = Blueprint(
    "batches",
    __name__,
    url_prefix="/api/v1/batches",
    description="Batches: one change applied to many objects, with a preview, a background "
    "run, progress and undo (curators and admins).",
)

NO_STORE = {"Cache-Control": "no-store"}


def _batch(batch_id, status: int = 200, per_page: int = 100):
    headers = dict(NO_STORE)
    if status == 201:
        headers["Location"] = f"/api/v1/batches/{batch_id}"
    return json_response(read.get(identity(), batch_id, per_page), status, headers=headers)


@blp.route("")
class Batches(MethodView):
    @staff_only
    @blp.arguments(Pagination, location="query")
    @blp.response(200, BatchPage)
    @documented(blp, 401, 403, 422)
    def get(self, args):
        """Batches, newest first."""
        return json_response(envelope(read.list_batches(identity(), args)), headers=NO_STORE)

    @staff_only
    @blp.arguments(BatchIn)
    @blp.response(201, BatchOut)
    @documented(blp, 401, 403, 404, 422)
    def post(self, data):
        """Create a batch in `preview`: every target's outcome and changes; nothing changes."""
        return _batch(create.create(identity(), data), status=201)


@blp.route("/<uuid:batch_id>")
class Batch(MethodView):
    @blp.arguments(BatchArgs, location="query")
    @blp.response(200, BatchOut)
    @documented(blp, 404, 422)
    def get(self, args, batch_id: uuid.UUID):
        """The batch, its status and counts (progress while it runs), its first items."""
        return _batch(batch_id, per_page=args["per_page"])


@blp.route("/<uuid:batch_id>/items")
class Items(MethodView):
    @blp.arguments(ItemListArgs, location="query")
    @blp.response(200, ItemPage)
    @documented(blp, 404, 422)
    def get(self, args, batch_id: uuid.UUID):
        """The batch's targets page by page, with `outcome`/`result` filters."""
        return json_response(envelope(read.items(identity(), batch_id, args)), headers=NO_STORE)


@blp.route("/<uuid:batch_id>/run")
class Run(MethodView):
    @staff_only
    @blp.response(202, BatchOut)
    @documented(blp, 401, 403, 404, 409)
    def post(self, batch_id: uuid.UUID):
        """Run a previewed batch in the background (202); read the batch for progress."""
        return _batch(create.run(identity(), batch_id), status=202)


@blp.route("/<uuid:batch_id>/undo")
class Undo(MethodView):
    @staff_only
    @blp.response(201, BatchOut)
    @documented(blp, 401, 403, 404, 409)
    def post(self, batch_id: uuid.UUID):
        """Undo a batch that ran: a new batch, run at once, puts back each object it changed
        (except those changed since, reported)."""
        return _batch(create.undo(identity(), batch_id), status=201)
