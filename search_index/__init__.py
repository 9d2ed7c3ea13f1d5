"""Full-text search over catalogue documents with Whoosh (knows nothing of the catalogue)."""

from search_index import whoosh_patches  # noqa: F401  (applied before any index is used)
