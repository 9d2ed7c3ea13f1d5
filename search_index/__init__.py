"""Full-text search over catalogue documents with Whoosh (knows nothing of the catalogue)."""

from search_index import internals

# Whoosh's private names this package reads are there, and its fix applied, before any index
# is used; a Whoosh that changed them stops the import with a message naming the change.
internals.check()
