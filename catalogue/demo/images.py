"""Illustrative images for the demo collection, drawn here and labelled as demo material.

None of them is a scan of a real object: each is a drawing, a plan or a photo-like picture
made with Pillow from a few shapes and some grain, with a band saying what it is. They let a
newcomer's first visit show the viewer, the thumbnails and the IIIF manifests working.
``catalogue demo images DIR`` writes them into a folder; ``catalogue demo load`` attaches them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

WIDTH, HEIGHT = 1600, 1100
# Texts drawn stay ASCII: Pillow's built-in font has no accented letters.
BAND = "DEMO - image d'illustration / illustrative image, not a real object"

Painter = Callable[[ImageDraw.ImageDraw, random.Random], None]


def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _grain(image: Image.Image, rng: random.Random, amount: int) -> Image.Image:
    noise = Image.effect_noise(image.size, amount).convert("RGB")
    return Image.blend(image, noise, 0.12).filter(ImageFilter.GaussianBlur(0.6))


def _rocket(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """A blueprint elevation of a long-range rocket."""
    for x in range(0, WIDTH, 50):
        draw.line([(x, 0), (x, HEIGHT)], fill=(40, 80, 140), width=1)
    for y in range(0, HEIGHT, 50):
        draw.line([(0, y), (WIDTH, y)], fill=(40, 80, 140), width=1)
    ink, cx = (235, 240, 255), WIDTH // 2
    body = [(cx - 90, 900), (cx - 90, 330), (cx - 60, 200), (cx, 110), (cx + 60, 200)]
    body += [(cx + 90, 330), (cx + 90, 900)]
    draw.line(body, fill=ink, width=6)
    for side in (-1, 1):
        draw.polygon(
            [(cx + side * 90, 740), (cx + side * 230, 930), (cx + side * 90, 900)],
            outline=ink,
            width=6,
        )
    draw.line([(cx - 90, 900), (cx + 90, 900)], fill=ink, width=6)
    for y in (330, 520, 740):
        draw.line([(cx - 90, y), (cx + 90, y)], fill=ink, width=3)
    draw.line([(cx + 200, 110), (cx + 200, 900)], fill=ink, width=2)
    draw.text((cx + 215, 480), "14 m", fill=ink, font=_font(40))
    draw.text((80, 80), "A4 (V2) - elevation / vue de profil", fill=ink, font=_font(48))


def _flying_bomb(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """A side view of a flying bomb on squared paper."""
    ink = (40, 40, 40)
    for x in range(0, WIDTH, 40):
        draw.line([(x, 0), (x, HEIGHT)], fill=(215, 210, 195), width=1)
    for y in range(0, HEIGHT, 40):
        draw.line([(0, y), (WIDTH, y)], fill=(215, 210, 195), width=1)
    draw.ellipse([(250, 500), (1250, 640)], outline=ink, width=6)
    draw.rectangle([(950, 380), (1400, 440)], outline=ink, width=5)
    draw.line([(1100, 440), (1050, 520)], fill=ink, width=5)
    draw.polygon([(600, 570), (760, 570), (700, 860), (640, 860)], outline=ink, width=5)
    draw.polygon([(1150, 560), (1300, 470), (1320, 560)], outline=ink, width=5)
    draw.text((80, 80), "Fi 103 (V1) - side view / profil", fill=ink, font=_font(48))


def _plan(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """A schematic plan: the dome as an octagon and galleries leading to it."""
    ink = (30, 50, 90)
    cx, cy, radius = WIDTH // 2, HEIGHT // 2 - 40, 230
    corners = [
        (
            cx + radius * math.cos(math.pi / 8 + k * math.pi / 4),
            cy + radius * math.sin(math.pi / 8 + k * math.pi / 4),
        )
        for k in range(8)
    ]
    draw.polygon(corners, outline=ink, width=8)
    for angle in (0.3 + rng.random() / 4, 1.4, 2.6 + rng.random() / 4, 3.9):
        x = cx + 900 * math.cos(angle)
        y = cy + 900 * math.sin(angle)
        draw.line([(cx, cy), (x, y)], fill=ink, width=26)
        draw.line([(cx, cy), (x, y)], fill=(244, 240, 228), width=16)
    draw.ellipse([(cx - 40, cy - 40), (cx + 40, cy + 40)], outline=ink, width=6)
    draw.line([(120, 960), (520, 960)], fill=ink, width=6)
    draw.text((120, 975), "0 - 50 m", fill=ink, font=_font(36))
    draw.text((80, 80), "Schematic plan / plan du site", fill=ink, font=_font(48))


def _map(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """A sketch map: a coastline, a river, two places and a route between them."""
    ink, water = (60, 50, 40), (120, 160, 200)
    coast = [(0, 260)]
    for x in range(100, WIDTH + 100, 100):
        coast.append((x, 260 + rng.randint(-40, 60) + x // 12))
    draw.polygon([(0, 0), *coast, (WIDTH, 0)], fill=(190, 215, 235))
    draw.line(coast, fill=water, width=6)
    draw.line([(300, 1100), (420, 800), (380, 600), (520, 420)], fill=water, width=8)
    a, b = (420, 760), (1180, 520)
    for point in (a, b):
        draw.ellipse([(point[0] - 18, point[1] - 18), (point[0] + 18, point[1] + 18)], fill=ink)
    draw.line([a, b], fill=(160, 30, 30), width=5)
    draw.text((a[0] + 30, a[1]), "Eperlecques", fill=ink, font=_font(40))
    draw.text((b[0] + 30, b[1]), "Wizernes", fill=ink, font=_font(40))
    draw.text((80, 900), "Sketch map / carte", fill=ink, font=_font(48))


def _photo(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """A photo-like view: sky, a chalk quarry face, a dome and figures, in grey tones."""
    for y in range(HEIGHT // 2):
        shade = 200 - y // 6
        draw.line([(0, y), (WIDTH, y)], fill=(shade, shade, shade - 5))
    for y in range(HEIGHT // 2, HEIGHT):
        shade = 150 - (y - HEIGHT // 2) // 8
        draw.line([(0, y), (WIDTH, y)], fill=(shade, shade - 3, shade - 10))
    draw.polygon(
        [(0, 550), (500, 300), (900, 420), (1600, 330), (1600, 700), (0, 760)], fill=(215, 212, 200)
    )
    draw.pieslice([(560, 330), (1100, 760)], 180, 360, fill=(95, 95, 92))
    for _ in range(9):
        x = rng.randint(100, 1500)
        draw.rectangle([(x, 820), (x + 14, 880)], fill=(50, 48, 45))
        draw.ellipse([(x - 2, 800), (x + 16, 820)], fill=(50, 48, 45))


def _aerial(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """A photo-like aerial view: fields, a road, a dome and bomb craters."""
    draw.rectangle([(0, 0), (WIDTH, HEIGHT)], fill=(128, 128, 120))
    for _ in range(14):
        x, y = rng.randint(0, WIDTH), rng.randint(0, HEIGHT)
        shade = rng.randint(100, 165)
        draw.rectangle(
            [(x, y), (x + rng.randint(200, 500), y + rng.randint(150, 400))],
            fill=(shade, shade, shade - 8),
        )
    draw.line([(0, 900), (700, 600), (1600, 560)], fill=(185, 185, 180), width=22)
    draw.ellipse([(700, 380), (920, 600)], fill=(200, 200, 196))
    for _ in range(45):
        x, y, r = rng.randint(200, 1400), rng.randint(150, 950), rng.randint(12, 40)
        draw.ellipse(
            [(x - r, y - r), (x + r, y + r)], fill=(60, 60, 58), outline=(215, 215, 210), width=4
        )


def _document(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """A typed page: a heading, lines of text as grey bars, a stamp."""
    draw.rectangle([(260, 60), (1340, 1040)], fill=(246, 242, 230), outline=(170, 160, 140))
    draw.rectangle([(360, 140), (900, 175)], fill=(70, 70, 70))
    y = 250
    while y < 900:
        draw.rectangle([(360, y), (360 + rng.randint(600, 880), y + 14)], fill=(120, 120, 118))
        y += 38
    draw.ellipse([(1020, 760), (1260, 1000)], outline=(150, 40, 50), width=8)


PAINTERS: dict[str, tuple[Painter, tuple[int, int, int], bool]] = {
    # kind -> (painter, background, photo-like: grain and grey tones)
    "rocket": (_rocket, (18, 52, 110), False),
    "flying-bomb": (_flying_bomb, (244, 240, 228), False),
    "plan": (_plan, (244, 240, 228), False),
    "map": (_map, (236, 230, 210), False),
    "photo": (_photo, (128, 128, 128), True),
    "aerial": (_aerial, (128, 128, 128), True),
    "document": (_document, (90, 80, 70), False),
}

# Object number -> the kinds of its images, in order (the first is the primary image).
DEMO_IMAGES: dict[str, tuple[str, ...]] = {
    "1997.0001.001": ("rocket", "plan"),
    "1997.0002.001": ("flying-bomb",),
    "2001.0004.002": ("photo",),
    "2001.0004.003": ("photo",),
    "2001.0004.004": ("photo",),
    "2002.0007.001": ("aerial",),
    "2002.0007.002": ("aerial",),
    "2005.0012.005": ("photo",),
    "2010.0003.003": ("plan",),
    "2010.0004.002": ("map",),
    "2010.0007.001": ("document",),
}


def draw(kind: str, seed: str) -> Image.Image:
    """One demo image of ``kind``; the same seed always gives the same picture."""
    painter, background, photo_like = PAINTERS[kind]
    rng = random.Random(f"{kind}:{seed}")  # noqa: S311 (a drawing, not a secret)
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    painter(ImageDraw.Draw(image), rng)
    if photo_like:
        image = _grain(image, rng, 60)
    band = ImageDraw.Draw(image)
    band.rectangle([(0, HEIGHT - 60), (WIDTH, HEIGHT)], fill=(0, 0, 0))
    band.text((24, HEIGHT - 50), BAND, fill=(255, 255, 255), font=_font(34))
    return image


def write(folder: Path) -> list[Path]:
    """Every demo image as JPEG into ``folder``, named after its object (``_2`` for a second)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number, kinds in DEMO_IMAGES.items():
        for index, kind in enumerate(kinds, start=1):
            name = number if index == 1 else f"{number}_{index}"
            path = folder / f"{name}.jpg"
            draw(kind, name).save(path, "JPEG", quality=85)
            written.append(path)
    return written
