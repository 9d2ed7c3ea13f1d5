"""Batches: one change applied to many objects, previewed, run in the background, undone."""
