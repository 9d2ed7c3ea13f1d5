"""OAI-PMH 2.0: verbs, the repository they page through, metadata formats, stored payloads."""
