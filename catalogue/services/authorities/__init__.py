"""Authorities and vocabularies: terms, agents, places, collections, locations."""
