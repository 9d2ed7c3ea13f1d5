"""Full-text search over the catalogue: documents, keeping the index in step, queries."""
