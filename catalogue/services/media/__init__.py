"""Media attached to objects: records, storage, delivery (originals, IIIF), fixity."""
