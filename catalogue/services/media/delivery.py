"""Delivering media: originals, derivatives, IIIF images and Presentation manifests.

Every function applies the visibility rules of ``media.load``: a hidden object's media and a
non-public media (for non-staff) do not exist for the caller.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from catalogue.extensions import db
from catalogue.models import Media
from catalogue.services.errors import BadRequest, NotFound, Unavailable
from catalogue.services.identity import Identity
from catalogue.services.media import pyramids
from catalogue.services.media.files import storage
from catalogue.services.media.records import is_image, load, publicly_cacheable, visible_object
from media import iiif, images
from media.storage import MissingFile, StorageUnavailable

# The IIIF rights property accepts these licence and statement families only.
RIGHTS_URIS = (
    "http://rightsstatements.org/",
    "https://rightsstatements.org/",
    "http://creativecommons.org/",
    "https://creativecommons.org/",
)
DERIVATIVES = {"thumbnail": "thumbnail.jpg", "preview": "preview.jpg"}


@dataclass
class Delivery:
    """How to answer: a redirect URL, a local file to stream, or bytes; with cache facts."""

    content_type: str
    etag: str
    public: bool
    redirect: str | None = None
    path: Path | None = None
    data: bytes | None = None
    filename: str | None = None


def _unavailable(error: Exception) -> Unavailable:
    current_app.logger.error("media storage: %s", error)
    return Unavailable("Media storage is unavailable; try again later.")


def content(identity: Identity, media_id: uuid.UUID) -> Delivery:
    """The original file: a presigned URL for S3, a local path (streamed with Range) otherwise."""
    media = load(identity, media_id)
    delivery = Delivery(
        media.content_type,
        f'"{media.sha256}"',
        publicly_cacheable(media),
        filename=media.original_filename,
    )
    seconds = current_app.config["MEDIA_URL_SECONDS"]
    try:
        delivery.redirect = storage().presigned_url(media.storage_key, seconds, media.content_type)
    except StorageUnavailable as error:
        raise _unavailable(error) from error
    if delivery.redirect is None:
        delivery.path = storage().local_path(media.storage_key)
        if not delivery.path.exists():
            raise _unavailable(FileNotFoundError(str(delivery.path)))
    return delivery


def derivative(identity: Identity, media_id: uuid.UUID, kind: str) -> Delivery:
    """The thumbnail or web preview JPEG (no embedded metadata)."""
    media = load(identity, media_id)
    if not is_image(media):
        raise NotFound(f"Media {media_id} is not an image and has no {kind}.")
    key = media.derivatives["files"][DERIVATIVES[kind]]
    delivery = Delivery("image/jpeg", f'"{media.sha256[:40]}-{kind}"', publicly_cacheable(media))
    # Derivatives are small: read whole, for either backend.
    try:
        delivery.data = storage().read(key)
    except (StorageUnavailable, MissingFile) as error:
        raise _unavailable(error) from error
    return delivery


def _image_media(identity: Identity, media_id: uuid.UUID) -> Media:
    media = load(identity, media_id)
    if not is_image(media):
        raise NotFound(f"Media {media_id} is not an image.")
    return media


def require_image(identity: Identity, media_id: uuid.UUID) -> None:
    """NotFound unless the caller may see this media and it is an image."""
    _image_media(identity, media_id)


def _pyramid(media: Media) -> Path:
    """A local path to the media's pyramid (S3 pyramids are copied to this node's disk)."""
    try:
        return pyramids.local_pyramid(media)
    except (StorageUnavailable, MissingFile) as error:
        raise _unavailable(error) from error


def image_info(identity: Identity, media_id: uuid.UUID, service_id: str) -> tuple[dict, bool]:
    """The IIIF info.json of an image, and whether shared caches may keep it."""
    pyramids.sweep_if_due()
    media = _image_media(identity, media_id)
    levels = media.derivatives["levels"]
    return iiif.info(service_id, media.width, media.height, levels), publicly_cacheable(media)


def image(identity: Identity, media_id: uuid.UUID, params: tuple[str, ...]) -> Delivery:
    """A IIIF image request: region, size, rotation, quality, format (400 when malformed)."""
    pyramids.sweep_if_due()
    media = _image_media(identity, media_id)
    region, size, rotation, quality_format = params
    quality, _, fmt = quality_format.rpartition(".")
    try:
        request = iiif.parse(region, size, rotation, quality, fmt, media.width, media.height)
    except iiif.IIIFError as error:
        raise BadRequest(str(error)) from error
    data = iiif.render(str(_pyramid(media)), request, media.derivatives["levels"])
    tag = '"' + hashlib.sha256(f"{media.sha256}/{'/'.join(params)}".encode()).hexdigest()[:32] + '"'
    return Delivery(iiif.FORMATS[fmt], tag, publicly_cacheable(media), data=data)


def _language_map(value, fallback: str) -> dict:
    if isinstance(value, dict) and value:
        return {lang: [text] for lang, text in value.items()}
    return {"none": [fallback]}


def manifest(identity: Identity, object_id: uuid.UUID, base: str) -> dict:
    """A IIIF Presentation 3.0 manifest: one canvas per public image of a visible object."""
    from catalogue.services.identity import view_of

    obj = visible_object(identity, object_id)
    record = view_of(obj.document, identity)
    rows = db.session.execute(
        sa.select(Media)
        .where(Media.object_id == obj.id, Media.public.is_(True))
        .order_by(Media.position, Media.created_at)
    ).scalars()
    manifest_id = f"{base}/iiif/3/objects/{obj.id}/manifest"
    title = record.get("title") or {}
    canvases = []
    for number, media in enumerate(m for m in rows if is_image(m)):
        canvas_id = f"{base}/iiif/3/objects/{obj.id}/canvas/{number + 1}"
        service_id = f"{base}/iiif/3/{media.id}"
        canvas = {
            "id": canvas_id,
            "type": "Canvas",
            "label": _language_map(media.caption, f"{obj.object_number} ({number + 1})"),
            "width": media.width,
            "height": media.height,
            "items": [
                {
                    "id": f"{canvas_id}/page",
                    "type": "AnnotationPage",
                    "items": [
                        {
                            "id": f"{canvas_id}/page/image",
                            "type": "Annotation",
                            "motivation": "painting",
                            "target": canvas_id,
                            "body": {
                                "id": f"{service_id}/full/max/0/default.jpg",
                                "type": "Image",
                                "format": "image/jpeg",
                                "width": media.width,
                                "height": media.height,
                                "service": [
                                    {"id": service_id, "type": "ImageService3", "profile": "level2"}
                                ],
                            },
                        }
                    ],
                }
            ],
            "thumbnail": [
                {
                    "id": f"{base}/api/v1/media/{media.id}/thumbnail",
                    "type": "Image",
                    "format": "image/jpeg",
                }
            ],
        }
        if media.content_type in images.DOCUMENT_TYPES:
            # The image shows the first page; the document itself is offered alongside.
            canvas["rendering"] = [
                {
                    "id": f"{base}/api/v1/media/{media.id}/content",
                    "type": "Text",
                    "label": {"en": ["The whole document (PDF)"], "fr": ["Le document (PDF)"]},
                    "format": media.content_type,
                }
            ]
        if media.rights:
            canvas["requiredStatement"] = {
                "label": {"en": ["Rights"], "fr": ["Droits"]},
                "value": {"none": [media.rights]},
            }
        canvases.append(canvas)
    document = {
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": manifest_id,
        "type": "Manifest",
        "label": _language_map(title, obj.object_number),
        "metadata": [
            {
                "label": {"en": ["Object number"], "fr": ["Numéro d'inventaire"]},
                "value": {"none": [obj.object_number]},
            },
        ],
        "items": canvases,
        "homepage": [
            {
                "id": f"{base}/objects/{obj.id}",
                "type": "Text",
                "label": _language_map(title, obj.object_number),
                "format": "text/html",
            }
        ],
    }
    if record.get("description"):
        document["summary"] = _language_map(record["description"], "")
    rights = record.get("rights") or {}
    if str(rights.get("uri") or "").startswith(RIGHTS_URIS):
        document["rights"] = rights["uri"]
    if rights.get("statement") or record.get("credit_line"):
        statement = record.get("credit_line") or {"none": rights.get("statement")}
        document["requiredStatement"] = {
            "label": {"en": ["Attribution"], "fr": ["Mention obligatoire"]},
            "value": _language_map(statement, rights.get("statement") or ""),
        }
    if canvases:
        document["thumbnail"] = canvases[0]["thumbnail"]
    return document
