"""IIIF Image API 3.0: parse request parameters, render from a tiled pyramid, describe images.

Parsing and size computation follow https://iiif.io/api/image/3.0/ section 4 (order: region,
size, rotation, quality, format). Rendering reads the pyramid level closest above the wanted
scale, so a tile from a 10,000-pixel master touches a few 512-pixel tiles only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pyvips

QUALITIES = ("default", "color", "gray", "bitonal")
FORMATS = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
# Largest output the service renders (width x height), upscaled or not.
MAX_AREA = 40_000_000
PROFILE_EXTRAS = {
    "extraQualities": ["color", "gray", "bitonal"],
    "extraFormats": ["webp"],
    "extraFeatures": ["mirroring", "sizeUpscaling", "regionSquare", "baseUriRedirect", "cors"],
}

NUMBER = r"\d+(?:\.\d+)?"
PCT_REGION = re.compile(rf"^pct:({NUMBER}),({NUMBER}),({NUMBER}),({NUMBER})$")
PX_REGION = re.compile(r"^(\d+),(\d+),(\d+),(\d+)$")
SIZE = re.compile(rf"^(\^)?(?:(max)|pct:({NUMBER})|(!)?(\d+)?,(\d+)?)$")
ROTATION = re.compile(rf"^(!)?({NUMBER})$")


class IIIFError(ValueError):
    """A request the Image API calls malformed or out of range (answer 400)."""


@dataclass(frozen=True)
class Request:
    region: tuple[int, int, int, int]
    size: tuple[int, int]
    mirror: bool
    rotation: int
    quality: str
    format: str


def parse_region(text: str, width: int, height: int) -> tuple[int, int, int, int]:
    if text == "full":
        return 0, 0, width, height
    if text == "square":
        side = min(width, height)
        return (width - side) // 2, (height - side) // 2, side, side
    match = PX_REGION.match(text)
    if match:
        x, y, w, h = (int(v) for v in match.groups())
    else:
        match = PCT_REGION.match(text)
        if not match:
            raise IIIFError(f"Region {text!r} is not full, square, x,y,w,h or pct:x,y,w,h.")
        px, py, pw, ph = (float(v) for v in match.groups())
        if px > 100 or py > 100:
            raise IIIFError(f"Region {text!r} starts outside the image.")
        x, y = round(px * width / 100), round(py * height / 100)
        w, h = round(pw * width / 100), round(ph * height / 100)
    if w <= 0 or h <= 0 or x >= width or y >= height:
        raise IIIFError(f"Region {text!r} is empty or outside the image.")
    return x, y, min(w, width - x), min(h, height - y)


def parse_size(text: str, region_w: int, region_h: int) -> tuple[int, int]:
    match = SIZE.match(text)
    if not match:
        raise IIIFError(f"Size {text!r} is not max, w,, ,h, pct:n, w,h or !w,h (^ to upscale).")
    upscale, is_max, pct, confined, w_text, h_text = match.groups()
    ratio = region_w / region_h
    if is_max:
        w, h = region_w, region_h
        if w * h > MAX_AREA:
            scale = math.sqrt(MAX_AREA / (w * h))
            w, h = max(1, int(w * scale)), max(1, int(h * scale))
        return w, h
    if pct is not None:
        scale = float(pct) / 100
        w, h = round(region_w * scale), round(region_h * scale)
    elif w_text is None and h_text is None:
        raise IIIFError(f"Size {text!r} names neither a width nor a height.")
    elif confined:
        if w_text is None or h_text is None:
            raise IIIFError(f"Size {text!r}: !w,h needs both a width and a height.")
        scale = min(int(w_text) / region_w, int(h_text) / region_h)
        w, h = round(region_w * scale), round(region_h * scale)
    elif w_text is not None and h_text is not None:
        w, h = int(w_text), int(h_text)
    elif w_text is not None:
        w = int(w_text)
        h = max(1, round(w / ratio))
    else:
        h = int(h_text)
        w = max(1, round(h * ratio))
    if w <= 0 or h <= 0:
        raise IIIFError(f"Size {text!r} is empty.")
    if not upscale and (w > region_w or h > region_h):
        raise IIIFError(f"Size {text!r} is larger than the region; use ^ to upscale.")
    if w * h > MAX_AREA:
        raise IIIFError(f"Size {text!r} is larger than the {MAX_AREA} pixels served.")
    return w, h


def parse_rotation(text: str) -> tuple[bool, int]:
    match = ROTATION.match(text)
    if not match:
        raise IIIFError(f"Rotation {text!r} is not a number of degrees (with ! to mirror).")
    degrees = float(match.group(2))
    if degrees > 360:
        raise IIIFError(f"Rotation {text!r} is outside 0 to 360.")
    if degrees % 90:
        raise IIIFError(f"Rotation {text!r}: only multiples of 90 degrees are supported.")
    return bool(match.group(1)), int(degrees) % 360


def parse(
    region: str, size: str, rotation: str, quality: str, fmt: str, width: int, height: int
) -> Request:
    """Validate every parameter of an image request against an image of width x height."""
    box = parse_region(region, width, height)
    out = parse_size(size, box[2], box[3])
    mirror, degrees = parse_rotation(rotation)
    if quality not in QUALITIES:
        raise IIIFError(f"Quality {quality!r} is not one of {', '.join(QUALITIES)}.")
    if fmt not in FORMATS:
        raise IIIFError(f"Format {fmt!r} is not one of {', '.join(FORMATS)}.")
    return Request(box, out, mirror, degrees, quality, fmt)


def render(pyramid_path: str, request: Request, level_sizes: list) -> bytes:
    """The encoded image for ``request``, read from the pyramid's best level."""
    x, y, w, h = request.region
    out_w, out_h = request.size
    full_w, full_h = level_sizes[0]
    page = 0
    for index, (level_w, _level_h) in enumerate(level_sizes):
        # The smallest level that still has at least one source pixel per output pixel.
        if w * level_w / full_w >= out_w and h * level_sizes[index][1] / full_h >= out_h:
            page = index
    level_w, level_h = level_sizes[page]
    sx, sy = level_w / full_w, level_h / full_h
    image = pyvips.Image.new_from_file(pyramid_path, page=page, access="random")
    left, top = min(int(x * sx), level_w - 1), min(int(y * sy), level_h - 1)
    crop_w = max(1, min(round(w * sx), level_w - left))
    crop_h = max(1, min(round(h * sy), level_h - top))
    image = image.crop(left, top, crop_w, crop_h)
    if (crop_w, crop_h) != (out_w, out_h):
        image = image.thumbnail_image(out_w, height=out_h, size=pyvips.Size.FORCE)
    if request.mirror:
        image = image.fliphor()
    if request.rotation:
        image = image.rot(f"d{request.rotation}")
    if request.quality == "gray":
        image = image.colourspace("b-w")
    elif request.quality == "bitonal":
        image = (image.colourspace("b-w") > 127).cast("uchar")
    keep = pyvips.ForeignKeep.NONE
    if request.format == "jpg":
        return image.jpegsave_buffer(Q=85, keep=keep)
    if request.format == "png":
        return image.pngsave_buffer(compression=1, keep=keep)
    return image.webpsave_buffer(Q=80, keep=keep)


def info(service_id: str, width: int, height: int, level_sizes: list) -> dict:
    """The info.json of an image service, with its pyramid levels as sizes and 512 px tiles."""
    factors = [2**i for i in range(len(level_sizes))]
    return {
        "@context": "http://iiif.io/api/image/3/context.json",
        "id": service_id,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level2",
        "width": width,
        "height": height,
        "maxArea": MAX_AREA,
        "sizes": [{"width": w, "height": h} for w, h in reversed(level_sizes) if w * h <= MAX_AREA],
        "tiles": [{"width": 512, "height": 512, "scaleFactors": factors}],
        **PROFILE_EXTRAS,
    }
