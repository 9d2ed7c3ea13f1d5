"""Media files: storage backends, image processing and IIIF computations.

This package knows nothing of the catalogue: settings arrive as arguments.
"""
