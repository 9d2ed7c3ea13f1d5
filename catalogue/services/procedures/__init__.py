"""Collections-management procedures: entries, acquisitions, audits, exits."""
