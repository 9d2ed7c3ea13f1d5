"""The reconciliation service (W3C Entity Reconciliation API, version 0.2, as OpenRefine
speaks it): ``types`` (what can be reconciled, and by which properties), ``queries`` (reading
a batch of queries), ``matching`` (candidates, scores and ``match``), ``suggest`` and
``preview``. Names are compared as the importer compares them
(``exchange.authority_matching.names``)."""
