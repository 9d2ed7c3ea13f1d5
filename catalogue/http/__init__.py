"""HTTP helpers that the API and the pages both use: receiving uploads, sending media files,
absolute links."""
