"""Lossless backup of the whole catalogue (tables and media originals), and restore."""
