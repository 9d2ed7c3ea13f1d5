"""Catalogue objects: reading, writing, documents, stored views, versions, locations."""
