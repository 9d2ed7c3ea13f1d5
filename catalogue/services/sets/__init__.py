"""Sets: users' named, ordered selections of objects, shared or published.

``access`` (who may read and change a set, which members each caller sees), ``read`` (one
set, lists, members), ``write`` (create, change, delete, members), ``versions`` (history and
restore), ``publish`` (the IIIF Collection and the CSV of a set's members).
"""
