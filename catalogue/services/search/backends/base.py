"""What the search service asks of a search backend.

``services.search.query`` builds a ``SearchRequest`` (the query as typed, the statuses the
caller may see, filters, sort, page, the facets wanted) and hands it to the app's backend,
which answers a ``SearchResult``: the page's hits with highlights, the total, exact facet
counts over the whole result set and a spelling suggestion. The service then reads the
page's records from the database, keeps what the caller may see and shapes the answer; so
the API answers the same shapes whatever the backend.

Both backends read the same query language (``search_index.query``: words, "phrases",
AND/OR/NOT, ``field:value``, ``prefix*``, ``fuzzy~``) and raise the same errors, and both
follow the one change log: they index what ``sync._changes`` makes of each logged change
(search documents to write, ids to delete), built from the public view of each record.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

from search_index.engine import Hit, SearchRequest, SearchResult
from search_index.query import QueryError
from search_index.store import IndexUnavailable

__all__ = [
    "Hit",
    "IndexUnavailable",
    "QueryError",
    "SearchBackend",
    "SearchRequest",
    "SearchResult",
]


class SearchBackend(ABC):
    """A search backend of one app.

    ``per_node``: whether each node keeps an index of its own, which a follower
    (``catalogue search follow``) keeps up with the change log; otherwise every node reads
    the same store and there is nothing to follow.
    """

    name: str
    per_node: bool

    def __init__(self, app) -> None:
        self.app = app

    # ---- serving --------------------------------------------------------------------

    @abstractmethod
    def open(self) -> None:
        """Make the backend ready to answer (an empty index where there is none yet)."""

    @abstractmethod
    def ready(self) -> dict:
        """/readyz: raise when searches cannot be answered (``readiness.NotReady`` to say
        how); return members for the answer (``search_index_lag``)."""

    @abstractmethod
    def search(self, request: SearchRequest) -> SearchResult:
        """Answer ``request``: matches among the visible statuses only, the page's hits
        in order with ``<mark>`` highlights over HTML-escaped text, facet counts over the
        whole result. Raises ``QueryError`` for a query that cannot be read and
        ``IndexUnavailable`` when the store cannot be read."""

    # ---- following the change log ---------------------------------------------------

    @abstractmethod
    def lag(self) -> dict:
        """``changes`` of the log not yet searchable, ``seconds`` since the oldest of them."""

    @abstractmethod
    def catch_up(self, wait: float | None = None) -> int:
        """Apply what the change log holds that the backend has not seen; returns how
        many documents changed. ``wait``: longest wait for another writer (a request)."""

    def keep_current(self, session, entries) -> None:  # noqa: B027 (optional hook)
        """In the writing transaction, with its log entries (``before_commit``): a backend
        stored in the database applies them here, so a commit is searchable at once."""

    # ---- maintenance ----------------------------------------------------------------

    @abstractmethod
    def reindex(self, procs: int = 1, on_progress: Callable[[int], None] | None = None) -> int:
        """Rebuild from every stored record while searches keep answering; returns the
        number of documents."""

    @abstractmethod
    def verify(self) -> dict[str, list[str]]:
        """Object ids ``missing`` from the backend, ``stale`` in it, ``extra`` in it."""

    @abstractmethod
    def clear(self) -> None:
        """Forget everything (the next catch-up starts from the beginning of the log)."""
