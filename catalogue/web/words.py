"""Fixed words of the catalogue shown on the pages, listed so that they get translated."""

from flask_babel import lazy_gettext as _l

WORDS = (
    # statuses, relations, conditions, roles
    _l("draft"),
    _l("internal"),
    _l("public"),
    _l("good"),
    _l("fair"),
    _l("poor"),
    _l("unacceptable"),
    _l("admin"),
    _l("curator"),
    _l("researcher"),
    # dimensions
    _l("height"),
    _l("width"),
    _l("depth"),
    _l("length"),
    _l("diameter"),
    _l("thickness"),
    _l("circumference"),
    _l("wingspan"),
    _l("weight"),
    _l("volume"),
    # inscriptions
    _l("inscription"),
    _l("mark"),
    _l("signature"),
    _l("stamp"),
    _l("label"),
    _l("stencil"),
    _l("date"),
    # vocabularies and kinds
    _l("object_type"),
    _l("material"),
    _l("technique"),
    _l("subject"),
    _l("person"),
    _l("organisation"),
    _l("site"),
    _l("building"),
    _l("room"),
    _l("unit"),
    _l("shelf"),
)
