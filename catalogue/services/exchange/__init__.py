"""Spreadsheets in and out: columns, rows, authority matching, imports, import jobs, exports."""
