"""Public records as OAI-PMH metadata: Dublin Core (``oai_dc``) and LIDO 1.1.

Builders take the record as the public may see it (``view_of(document, ANONYMOUS)``) and a
``Context`` with absolute URLs, and return lxml elements: text is escaped by lxml, never
concatenated into markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from catalogue.services import labels

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
DC = "http://purl.org/dc/elements/1.1/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
LIDO = "http://www.lido-schema.org"

SCHEMAS = {
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC),
    "lido": ("http://www.lido-schema.org/schema/v1.1/lido-v1.1.xsd", LIDO),
}
# LIDO terminology: the production event, and the CIDOC-CRM class of a human-made object.
LIDO_PRODUCTION = "http://terminology.lido-schema.org/lido00007"
CRM_HUMAN_MADE_OBJECT = "http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object"
AAT = "http://vocab.getty.edu/aat/"


@dataclass(frozen=True)
class Context:
    """What a record needs beyond itself: where things live and who holds them."""

    base_url: str
    institution: str
    default_language: str

    def url(self, path: str | None) -> str | None:
        if not path:
            return None
        return self.base_url + path if path.startswith("/") else path


def _texts(value) -> list[tuple[str, str]]:
    """(language, text) pairs of a language map, in a stable order."""
    if not isinstance(value, dict):
        return []
    return [(lang, text) for lang, text in sorted(value.items()) if text]


def _label(reference, lang: str) -> str | None:
    return labels.label(reference, lang)


# ---- Dublin Core --------------------------------------------------------------------------


def oai_dc(record: dict, ctx: Context) -> etree._Element:
    root = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} {SCHEMAS['oai_dc'][0]}")

    def add(name: str, text: str | None, lang: str | None = None) -> None:
        if text:
            element = etree.SubElement(root, f"{{{DC}}}{name}")
            element.text = text
            if lang:
                element.set(XML_LANG, lang)

    def add_map(name: str, value) -> None:
        for lang, text in _texts(value):
            add(name, text, lang)

    def add_refs(name: str, references) -> None:
        for reference in references or []:
            add_map(name, reference.get("label"))

    add_map("title", record.get("title"))
    production = record.get("production") or {}
    for maker in production.get("makers") or []:
        add_map("creator", (maker.get("agent") or {}).get("label"))
    add_refs("subject", record.get("subjects"))
    add_map("description", record.get("description"))
    add("publisher", ctx.institution)
    add("date", ((production.get("date") or {}).get("display")))
    if record.get("object_type"):
        add_map("type", record["object_type"].get("label"))
    add("type", "PhysicalObject")
    add_refs("format", record.get("materials"))
    for dimension in record.get("dimensions") or []:
        add("format", f"{dimension.get('type')}: {dimension.get('value')} {dimension.get('unit')}")
    add("identifier", record.get("object_number"))
    add("identifier", ctx.url((record.get("links") or {}).get("html")))
    if production.get("place"):
        add_map("coverage", production["place"].get("label"))
    add_refs("coverage", record.get("associated_places"))
    rights = record.get("rights") or {}
    add("rights", rights.get("statement"))
    add("rights", rights.get("uri"))
    return root


# ---- LIDO 1.1 ----------------------------------------------------------------------------


def _l(parent, name: str, text: str | None = None, **attrs) -> etree._Element:
    element = etree.SubElement(parent, f"{{{LIDO}}}{name}")
    for key, value in attrs.items():
        if value is not None:
            element.set(XML_LANG if key == "lang" else f"{{{LIDO}}}{key}", value)
    if text is not None:
        element.text = text
    return element


def _concept(parent, name: str, reference: dict | None, ctx: Context) -> etree._Element:
    """A LIDO concept: the outside URI (AAT...) when known, the local id, the labels."""
    concept = _l(parent, name)
    uri = (reference or {}).get("uri")
    if uri:
        _l(concept, "conceptID", uri, type="URI", source="AAT" if uri.startswith(AAT) else None)
    if (reference or {}).get("id"):
        _l(concept, "conceptID", reference["id"], type="local", source=ctx.institution)
    for lang, text in _texts((reference or {}).get("label")):
        _l(concept, "term", text, lang=lang)
    return concept


def _appellation(parent, name: str, value, lang_default: str) -> etree._Element:
    appellation = _l(parent, name)
    texts = _texts(value) if isinstance(value, dict) else [(lang_default, value)]
    for lang, text in texts or [(lang_default, "")]:
        _l(appellation, "appellationValue", text, lang=lang)
    return appellation


def _legal_body(parent, name: str, ctx: Context) -> None:
    body = _l(parent, name)
    _appellation(body, "legalBodyName", ctx.institution, ctx.default_language)
    _l(body, "legalBodyWeblink", ctx.base_url + "/")


def _named(parent, name: str, id_name: str, reference: dict, ctx: Context, set_name: str) -> None:
    entity = _l(parent, name)
    if reference.get("uri"):
        _l(entity, id_name, reference["uri"], type="URI")
    _l(entity, id_name, reference["id"], type="local", source=ctx.institution)
    _appellation(entity, set_name, reference.get("label") or {}, ctx.default_language)


def _production(wrap, record: dict, ctx: Context) -> None:
    production = record.get("production") or {}
    materials = record.get("materials") or []
    techniques = record.get("techniques") or []
    if not (production or materials or techniques):
        return
    event = _l(_l(_l(wrap, "eventSet"), "event"), "eventType")
    _l(event, "conceptID", LIDO_PRODUCTION, type="URI", source="LIDO-Terminology")
    _l(event, "term", "Production", lang="en")
    _l(event, "term", "Production", lang="fr")
    event = event.getparent()
    for maker in production.get("makers") or []:
        in_role = _l(_l(event, "eventActor"), "actorInRole")
        _named(in_role, "actor", "actorID", maker["agent"], ctx, "nameActorSet")
        if maker.get("role"):
            _l(_l(in_role, "roleActor"), "term", maker["role"])
    date = production.get("date")
    if date:
        event_date = _l(event, "eventDate")
        if date.get("display"):
            _l(event_date, "displayDate", date["display"])
        if date.get("earliest") or date.get("latest"):
            span = _l(event_date, "date")
            _l(span, "earliestDate", date.get("earliest") or date.get("latest"))
            _l(span, "latestDate", date.get("latest") or date.get("earliest"))
    if production.get("place"):
        _named(
            _l(event, "eventPlace"), "place", "placeID", production["place"], ctx, "namePlaceSet"
        )
    for kind, terms in (("material", materials), ("technique", techniques)):
        for term in terms:
            tech = _l(_l(event, "eventMaterialsTech"), "materialsTech")
            _concept(tech, "termMaterialsTech", term, ctx).set(f"{{{LIDO}}}type", kind)


def _identification(descriptive, record: dict, ctx: Context) -> None:
    ident = _l(descriptive, "objectIdentificationWrap")
    _appellation(
        _l(ident, "titleWrap"), "titleSet", record.get("title") or {}, ctx.default_language
    )
    repository = _l(_l(ident, "repositoryWrap"), "repositorySet", type="current")
    repository_name = _l(repository, "repositoryName")
    _appellation(repository_name, "legalBodyName", ctx.institution, ctx.default_language)
    _l(repository, "workID", record["object_number"], type="inventory number")
    if record.get("description"):
        description = _l(_l(ident, "objectDescriptionWrap"), "objectDescriptionSet")
        for lang, text in _texts(record["description"]):
            _l(description, "descriptiveNoteValue", text, lang=lang)
    dimensions = record.get("dimensions") or []
    if dimensions:
        measurement_set = _l(_l(ident, "objectMeasurementsWrap"), "objectMeasurementsSet")
        shown = "; ".join(f"{d['type']}: {d['value']} {d['unit']}" for d in dimensions)
        _l(measurement_set, "displayObjectMeasurements", shown)
        measurements = _l(measurement_set, "objectMeasurements")
        for dimension in dimensions:
            one = _l(measurements, "measurementsSet")
            _l(one, "measurementType", str(dimension["type"]), lang="en")
            _l(one, "measurementUnit", str(dimension["unit"]))
            _l(one, "measurementValue", str(dimension["value"]))


def _administrative(lido, record: dict, ctx: Context, datestamp: str) -> None:
    admin = _l(lido, "administrativeMetadata", lang=ctx.default_language)
    rights = record.get("rights") or {}
    if rights or record.get("credit_line"):
        rights_set = _l(_l(admin, "rightsWorkWrap"), "rightsWorkSet")
        if rights:
            rights_type = _l(rights_set, "rightsType")
            if rights.get("uri"):
                _l(rights_type, "conceptID", rights["uri"], type="URI")
            if rights.get("statement"):
                _l(rights_type, "term", rights["statement"])
        for lang, text in _texts(record.get("credit_line")):
            _l(rights_set, "creditLine", text, lang=lang)
    wrap = _l(admin, "recordWrap")
    _l(wrap, "recordID", record["id"], type="local", source=ctx.institution)
    record_type = _l(wrap, "recordType")
    _l(record_type, "conceptID", "http://terminology.lido-schema.org/lido00141", type="URI")
    _l(record_type, "term", "item", lang="en")
    _legal_body(wrap, "recordSource", ctx)
    info = _l(wrap, "recordInfoSet")
    _l(info, "recordInfoLink", ctx.url(record["links"]["html"]), formatResource="text/html")
    _l(info, "recordMetadataDate", datestamp, type="modified")
    images = [m for m in record.get("media") or [] if m.get("iiif")]
    if images:
        _resources(_l(admin, "resourceWrap"), record, images, ctx)


def _resources(wrap, record: dict, images: list[dict], ctx: Context) -> None:
    manifest = ctx.url(record["links"]["iiif_manifest"])
    for media in images:
        resource = _l(wrap, "resourceSet")
        _l(resource, "resourceID", media["id"], type="local", source=ctx.institution)
        service = ctx.url(media["iiif"]).removesuffix("/info.json")
        for kind, link, fmt in (
            ("image_master", f"{service}/full/max/0/default.jpg", "image/jpeg"),
            ("image_thumb", ctx.url(media["thumbnail"]), "image/jpeg"),
            ("iiif_image_service", f"{service}/info.json", "application/ld+json"),
            ("iiif_manifest", manifest, "application/ld+json"),
        ):
            representation = _l(resource, "resourceRepresentation", type=kind)
            _l(representation, "linkResource", link, formatResource=fmt)
        resource_type = _l(resource, "resourceType")
        _l(resource_type, "conceptID", AAT + "300215302", type="URI", source="AAT")
        _l(resource_type, "term", "digital image", lang="en")
        for lang, text in _texts(media.get("caption")):
            _l(resource, "resourceDescription", text, lang=lang)
        if media.get("rights"):
            _l(_l(_l(resource, "rightsResource"), "rightsType"), "term", media["rights"])


def lido(record: dict, ctx: Context, datestamp: str) -> etree._Element:
    """One LIDO 1.1 record of a public object."""
    root = etree.Element(f"{{{LIDO}}}lido", nsmap={"lido": LIDO, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{LIDO} {SCHEMAS['lido'][0]}")
    _l(root, "lidoRecID", record["id"], type="local", source=ctx.institution)
    category = _l(root, "category")
    _l(category, "conceptID", CRM_HUMAN_MADE_OBJECT, type="URI")
    _l(category, "term", "Human-Made Object", lang="en")
    descriptive = _l(root, "descriptiveMetadata", lang=ctx.default_language)
    work_type = _l(_l(descriptive, "objectClassificationWrap"), "objectWorkTypeWrap")
    if record.get("object_type"):
        _concept(work_type, "objectWorkType", record["object_type"], ctx)
    else:
        _l(_l(work_type, "objectWorkType"), "term", "object", lang="en")
    _identification(descriptive, record, ctx)
    event_wrap = _l(descriptive, "eventWrap")
    _production(event_wrap, record, ctx)
    if not len(event_wrap):
        descriptive.remove(event_wrap)
    subjects = record.get("subjects") or []
    places = record.get("associated_places") or []
    agents = record.get("associated_agents") or []
    if subjects or places or agents:
        subject = _l(
            _l(_l(_l(descriptive, "objectRelationWrap"), "subjectWrap"), "subjectSet"), "subject"
        )
        for term in subjects:
            _concept(subject, "subjectConcept", term, ctx)
        for agent in agents:
            _named(_l(subject, "subjectActor"), "actor", "actorID", agent, ctx, "nameActorSet")
        for place in places:
            _named(_l(subject, "subjectPlace"), "place", "placeID", place, ctx, "namePlaceSet")
    _administrative(root, record, ctx, datestamp)
    return root
