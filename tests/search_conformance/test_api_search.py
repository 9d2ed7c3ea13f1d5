"""The API search tests of ``tests/api/test_search.py``, run against every backend set-up:
``GET /api/v1/search`` answers the same shapes and the same results with each.

Left out: the test about the Whoosh index's own directory and readiness;
``test_conformance.py`` covers the rest of what both backends must do.
"""

from __future__ import annotations

from tests.api.test_search import (  # noqa: F401 (collected here, with this folder's app)
    rocket,
    test_a_save_is_searchable_when_the_request_returns,
    test_bad_input_is_a_problem,
    test_envelope_items_facets_and_labels,
    test_exact_accession_number,
    test_facet_counts_match_a_count_in_the_database,
    test_filters,
    test_finds_french_and_english_text_and_linked_labels,
    test_random_and_hostile_queries_never_fail,
    test_renaming_a_linked_authority_reaches_the_index,
    test_script_in_a_record_comes_back_inert,
    test_sorting_and_paging,
    test_staff_only_fields_are_never_matched,
    test_visibility_of_results_totals_and_facets,
)
