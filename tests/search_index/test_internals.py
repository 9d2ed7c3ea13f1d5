"""Whoosh's private names: all read through one module, and a Whoosh that changed any of them
stops the service with a message naming it instead of searching slowly or wrongly."""

from __future__ import annotations

import re
import subprocess
import sys
from array import array
from pathlib import Path

import pytest
from whoosh.codec import whoosh3 as w3

from search_index import internals
from search_index.internals import SIGNATURES, InternalsChanged

ROOT = Path(__file__).resolve().parents[2]


def test_the_installed_whoosh_has_every_internal_in_use():
    names = internals.check()
    assert "whoosh.codec.whoosh3.W3LeafMatcher._read_ids" in names
    assert "whoosh.query.terms.FuzzyTerm._btexts" in names
    assert len(names) == len(SIGNATURES)


@pytest.mark.parametrize(
    ("owner", "attribute"),
    [(owner, attribute) for owner, attribute, _ in SIGNATURES],
    ids=[attribute for _, attribute, _ in SIGNATURES],
)
def test_a_missing_internal_is_named(monkeypatch, owner, attribute):
    monkeypatch.delattr(owner, attribute)
    with pytest.raises(InternalsChanged, match=re.escape(f".{attribute}: it is missing")):
        internals.check()


def test_an_internal_taking_other_parameters_is_named(monkeypatch):
    monkeypatch.setattr(w3.W3TermsReader, "matcher", lambda self, term: None)
    with pytest.raises(
        InternalsChanged, match=r"W3TermsReader\.matcher: it takes .* no longer 4 positional"
    ):
        internals.check()


def test_an_internal_that_reads_other_values_is_caught(monkeypatch):
    """Same names, same parameters, but the block's weights are no longer what they were:
    the check compares the blocks with Whoosh's public postings and refuses."""
    read_weights = w3.W3LeafMatcher._read_weights

    def flattened(self):
        read_weights(self)
        self._weights = array("f", [1.0] * len(self._weights))

    monkeypatch.setattr(w3.W3LeafMatcher, "_read_weights", flattened)
    with pytest.raises(InternalsChanged, match=r"blocks of body:alpha are not its postings"):
        internals.check()


def test_field_lengths_stored_otherwise_are_caught(monkeypatch):
    """A Whoosh that encoded the length column differently would skew every score."""
    monkeypatch.setattr(w3, "length_to_byte", lambda length: min(255, (length or 0) * 10))
    with pytest.raises(InternalsChanged, match=r"W3PerDocReader\._cached_reader: the length col"):
        internals.check()


def test_the_service_does_not_start_on_a_changed_whoosh(tmp_path):
    """The check runs when the package is imported, so no app (no worker) starts with it."""
    code = (
        "from whoosh.codec import whoosh3\n"
        "del whoosh3.W3LeafMatcher._next_block\n"
        "from catalogue import create_app\n"
        "create_app({'DATABASE_URL': 'sqlite://', 'SECRET_KEY': 'x',"
        f" 'SEARCH_INDEX_DIR': {str(tmp_path)!r}}})\n"
        "print('started')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "started" not in result.stdout
    assert "InternalsChanged" in result.stderr
    assert "whoosh.codec.whoosh3.W3LeafMatcher._next_block: it is missing" in result.stderr


def test_no_other_module_reads_a_private_whoosh_name():
    private = {attribute for _, attribute, _ in SIGNATURES if attribute.startswith("_")}
    private |= {"_terms", "_perdoc", "_ids", "_weights", "_readers"}
    pattern = re.compile(r"\.(" + "|".join(sorted(private)) + r")\b")
    offenders = []
    for folder in ("search_index", "catalogue", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "search_index" / "internals.py":
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_workers_starting_together_all_pass_the_check():
    """The check's index in memory writes temporary files; processes started at the same
    moment (a node's workers) must not remove each other's."""
    code = "import search_index\nfor _ in range(5):\n    search_index.internals.check()\n"
    processes = [
        subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    failures = [p.communicate(timeout=300)[1] for p in processes]
    assert [p.returncode for p in processes] == [0] * 6, failures
