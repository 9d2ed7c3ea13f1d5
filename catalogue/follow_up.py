"""Everything that follows a change, registered with the unit of work in one place.

Services never register work by being imported: each hook point of ``services.uow`` is
given its work here, when the app is built, so a reader finds every follow-up in this file.
"""

from __future__ import annotations

from catalogue.services import uow
from catalogue.services.media import files as media_files
from catalogue.services.media import records as media_records
from catalogue.services.oai import payloads as oai_payloads
from catalogue.services.search import backends as search_backends
from catalogue.services.search import sync as search_sync


def register(app) -> None:
    """Open the media storage and the search index; attach the follow-up work of every change."""
    media_files.init_app(app)
    # The search backend opens and makes /readyz report on it (its lag behind the log).
    search = search_backends.init_app(app)
    hooks = uow.hooks(app)
    # In the transaction, as each change is logged: a deleted object's media go with it.
    hooks.on_change(media_records.drop_with_deleted_object)
    # In the transaction, once per commit: OAI-PMH payloads of the objects that changed.
    hooks.before_commit(oai_payloads.keep_current)
    if search.name == "postgresql":
        # In the transaction, once per commit: the search table rows of the objects that
        # changed (every node searches the database, so a commit is searchable at once).
        hooks.before_commit(search.keep_current)
        # After a commit that changed the log without them (a restore): apply the log.
        hooks.after_commit(search.after_commit)
    elif app.config["SEARCH_FOLLOW"] == "inline":
        # After each commit that logged changes: the node's index applies them, when the
        # writer does it (SEARCH_FOLLOW "inline"); otherwise the node's follower does
        # (search.follow).
        hooks.after_commit(search_sync.after_commit)
