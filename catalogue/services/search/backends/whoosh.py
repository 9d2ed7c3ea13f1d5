"""The Whoosh index of each node (``SEARCH_BACKEND=whoosh``, the default).

The index lives in ``SEARCH_INDEX_DIR`` and follows the change log: the writing request
applies its changes after the commit (``SEARCH_FOLLOW=inline``) or the node's follower
does (``catalogue search follow``). The work itself is in ``sync`` (applying the log,
reindexing, verifying), ``follow`` (the follower and the lag) and ``search_index`` (the
engine); this class is what the service sees of them.
"""

from __future__ import annotations

from collections.abc import Callable

from catalogue.services.search import follow, sync
from catalogue.services.search.backends.base import SearchBackend, SearchRequest, SearchResult


class WhooshBackend(SearchBackend):
    name = "whoosh"
    per_node = True

    def open(self) -> None:
        sync.init_app(self.app)
        follow.init_app(self.app)

    def ready(self) -> dict:
        from catalogue.services import readiness

        return readiness.check(self.app, "search_index")() or {}

    def search(self, request: SearchRequest) -> SearchResult:
        return sync.engine().search(request)

    def lag(self) -> dict:
        return follow.lag()

    def catch_up(self, wait: float | None = None) -> int:
        return sync.catch_up(wait)

    def reindex(self, procs: int = 1, on_progress: Callable[[int], None] | None = None) -> int:
        return sync.reindex(procs=procs, on_progress=on_progress)

    def verify(self) -> dict[str, list[str]]:
        return sync.verify()

    def clear(self) -> None:
        sync.engine(self.app).store.clear()
