"""A fix to Whoosh applied on import (whoosh-reloaded 2.7; checked by the test suite).

``W3PerDocReader._cached_reader`` caches the column reader of a field that has a length
column, but not the answer "this field has none": every posting of an unscored field (ids,
keywords, numbers) then asks the file system whether the column file exists, once per posting
when a segment is written or merged. That was a third of the time of a large catch-up. The
answer cannot change while the reader lives (segments are immutable), so it is cached too.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3PerDocReader

_MISSING = object()


def _cached_reader(self, fieldname, column):
    readers = self._readers
    reader = readers.get(fieldname, _MISSING)
    if reader is _MISSING:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        readers[fieldname] = reader
    return reader


if not getattr(W3PerDocReader._cached_reader, "caches_missing", False):
    _cached_reader.caches_missing = True
    W3PerDocReader._cached_reader = _cached_reader
