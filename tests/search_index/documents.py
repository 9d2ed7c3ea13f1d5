"""Plain search documents for the library tests (no catalogue involved)."""

from __future__ import annotations


def document(doc_id: str, **fields) -> dict:
    base = {
        "id": doc_id,
        "number": f"2000.{int(doc_id):04d}.001" if doc_id.isdigit() else doc_id,
        "status": "public",
        "title": "",
        "description": "",
        "maker": "",
        "place": "",
        "material": "",
        "text": "",
        "object_type": [],
        "material_ids": [],
        "collection": [],
        "maker_ids": [],
        "place_ids": [],
        "has_media": False,
        "has_any_media": False,
        "date_from": None,
        "date_to": None,
        "updated": "2026-01-01T00:00:00Z",
    }
    base.update(fields)
    return base


def load(store, documents: list[dict]) -> None:
    """Write ``documents`` through the same path the catalogue uses (a fetch from a log)."""
    last = store.cursor()

    def fetch(cursor):
        if cursor > last:
            return [], [], cursor
        return documents, [], last + 1

    store.apply(fetch)


COLLECTION = [
    document(
        "1",
        number="1997.0001.001",
        title="Fusée A4 (V2)\nA4 (V2) rocket",
        description="Une fusée lancée depuis la base.\nA rocket launched from the base.",
        maker="Mittelwerk GmbH",
        place="Peenemünde",
        material="acier\nsteel",
        object_type=["rocket"],
        material_ids=["steel"],
        maker_ids=["mittelwerk"],
        place_ids=["peenemunde"],
        has_media=True,
        has_any_media=True,
        date_from=1944,
        date_to=1945,
        updated="2026-03-01T00:00:00Z",
    ),
    document(
        "2",
        number="1997.0002.001",
        title="Fusées en vol\nRockets in flight",
        description="Photographie de fusées.",
        object_type=["photograph"],
        date_from=1943,
        date_to=1943,
        updated="2026-01-01T00:00:00Z",
    ),
    document(
        "3",
        number="2002.0007.004",
        title="Bombardement du 17 juillet 1944\nBombing raid of 17 July 1944",
        description="Les bombardements du bunker d'Éperlecques.",
        place="Éperlecques\nEperlecques",
        object_type=["photograph"],
        place_ids=["eperlecques"],
        status="internal",
        date_from=1944,
        date_to=1944,
        updated="2026-02-01T00:00:00Z",
    ),
    document(
        "4",
        number="2005.0012.008",
        title="Carnet <script>alert('x')</script> de notes",
        description="Brouillon du conservateur",
        status="draft",
        date_from=1939,
        date_to=1950,
        updated="2026-04-01T00:00:00Z",
    ),
    document(
        "5",
        number="1997.0010.001",
        title="Casque allemand\nGerman helmet",
        material="acier\nsteel",
        material_ids=["steel"],
        object_type=["helmet"],
        updated="2025-12-01T00:00:00Z",
    ),
]
