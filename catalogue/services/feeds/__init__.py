"""Channels that publish what changed: the changes feed, sitemaps, IIIF Discovery, Linked Art."""
