"""Everything that follows a change, registered with the unit of work in one place.

Services never register work by being imported: each hook point of ``services.uow`` is
given its work here, when the app is built, so a reader finds every follow-up in this file.
"""

from __future__ import annotations

from catalogue.services import uow
from catalogue.services.media import files as media_files
from catalogue.services.media import records as media_records
from catalogue.services.oai import payloads as oai_payloads
from catalogue.services.search import follow as search_follow
from catalogue.services.search import sync as search_sync


def register(app) -> None:
    """Open the media storage and the search index; attach the follow-up work of every change."""
    media_files.init_app(app)
    search_sync.init_app(app)
    hooks = uow.hooks(app)
    # In the transaction, as each change is logged: a deleted object's media go with it.
    hooks.on_change(media_records.drop_with_deleted_object)
    # In the transaction, once per commit: OAI-PMH payloads of the objects that changed.
    hooks.before_commit(oai_payloads.keep_current)
    # After each commit that logged changes: the search index applies them, when the writer
    # does it (SEARCH_FOLLOW "inline"); otherwise the node's follower does (search.follow).
    if app.config["SEARCH_FOLLOW"] == "inline":
        hooks.after_commit(search_sync.after_commit)
    # /readyz: the index opens, and is not too far behind the change log.
    search_follow.init_app(app)
