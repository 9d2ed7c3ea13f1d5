"""Every kind of procedure, by name and by the path of its API collection."""

from __future__ import annotations

from catalogue.services.procedures import acquisitions, audits, entries, exits
from catalogue.services.procedures.base import Kind

KINDS: dict[str, Kind] = {
    kind.name: kind for kind in (entries.KIND, acquisitions.KIND, audits.KIND, exits.KIND)
}
BY_PATH: dict[str, Kind] = {kind.path: kind for kind in KINDS.values()}
