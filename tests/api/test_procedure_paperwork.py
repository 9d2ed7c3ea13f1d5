"""The deposit receipt of an entry: a real PDF, bilingual, record text printed as typed."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests import helpers
from tests.api import procedure_helpers as ph


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_receipt_names_the_depositor_the_objects_and_both_languages(client, users, curator):
    family = helpers.agent(client, curator, "Famille <b>Lefebvre</b> & fils", kind="person")
    entry = ph.create(
        client,
        curator,
        "entries",
        {
            "reason": "loan-in",
            "depositor": {"id": family["id"]},
            "entry_date": "2026-04-02",
            "condition": "Tirages <i>jaunis</i> & pliés",
            "objects": [
                {"title": {"fr": "Photographie du bunker", "en": "Photograph of the bunker"}},
                {"title": {"fr": "Lettre <script>alert(1)</script>"}},
            ],
        },
    )
    response = client.get(f"/api/v1/entries/{entry['id']}/receipt.pdf", headers=curator.headers)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    text = pdf_text(response.data)
    assert "Reçu de dépôt" in text and "Deposit receipt" in text
    assert "Déposant" in text and "Depositor" in text
    assert "La Coupole" in text
    assert entry["number"] in text
    assert f"TMP-{entry['number']}-1" in text and f"TMP-{entry['number']}-2" in text
    assert "Photographie du bunker" in text and "Photograph of the bunker" in text
    # Record text is text: its markup is printed, never applied.
    assert "Famille <b>Lefebvre</b> & fils" in text
    assert "Tirages <i>jaunis</i> & pliés" in text
    assert "Lettre <script>alert(1)</script>" in text
    assert "Pour le musée" in text and "For the museum" in text
    for role in ("anonymous", "researcher"):
        response = client.get(
            f"/api/v1/entries/{entry['id']}/receipt.pdf", headers=users[role].headers
        )
        helpers.is_problem(response, 404)
