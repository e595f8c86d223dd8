"""Perceptual hashes of PNG outputs: do two plots look alike, whatever their size and encoding.

A difference hash (dHash): the image in grey (transparent pixels over white), shrunk to
(SIZE+1)xSIZE, one bit per pair of horizontal neighbours (is the left one brighter).
Re-encoding, a new figure size (matplotlib's default changed) and anti-aliasing move few bits;
a different curve moves many. Similarity is the share of equal bits.

Each image is hashed twice: whole, and cropped to its content (the box of pixels that differ
from the colour of its border). A figure saved with a tight bounding box (the inline backend's)
is framed by its outermost text: when another version's fonts make a tick label a few pixels
taller, the same plot shifts and scales by a fraction of a hash cell, and the bits of every
straight edge it crosses flip. Cropped, both are framed by their content. The two plots look
alike as much as the better of the two comparisons says.
"""

from __future__ import annotations

import base64
import binascii
import io
from typing import Any

SIZE = 16  # 256 bits: coarse enough for drift, fine enough to tell two curves apart
SIMILAR = 0.9  # at least this share of equal bits looks the same to a reader
BACKGROUND = 8  # grey levels: a pixel this close to the border's colour is background


def _bits(grey: Any) -> int:
    from PIL import Image

    pixels = grey.resize((SIZE + 1, SIZE), Image.Resampling.LANCZOS).tobytes()  # mode L
    bits = 0
    for row in range(SIZE):
        for col in range(SIZE):
            left, right = pixels[row * (SIZE + 1) + col], pixels[row * (SIZE + 1) + col + 1]
            bits = (bits << 1) | (left > right)
    return bits


def _content(grey: Any) -> Any:
    """``grey`` cropped to the pixels that differ from its border's most common value."""
    from PIL import Image, ImageChops

    width, height = grey.size
    edges = ((0, 0, width, 1), (0, height - 1, width, height), (0, 0, 1, height))
    border = b"".join(grey.crop(box).tobytes() for box in (*edges, (width - 1, 0, width, height)))
    background = max(set(border), key=border.count)  # mode L: a byte a pixel
    away = ImageChops.difference(grey, Image.new("L", grey.size, background))
    box = away.point(lambda v: 255 if v > BACKGROUND else 0).getbbox()
    if box is None or box[2] - box[0] <= SIZE or box[3] - box[1] <= SIZE:
        return grey  # blank, or too little content to crop to
    return grey.crop(box)


def dhashes(png: bytes) -> tuple[int, int] | None:
    """The image's difference hashes, whole and cropped to its content, or None when it is not
    an image Pillow can read."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(png)) as image:
            rgba = image.convert("RGBA")
            white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            grey = Image.alpha_composite(white, rgba).convert("L")
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    return _bits(grey), _bits(_content(grey))


def similarity(a: int, b: int) -> float:
    """The share of equal bits of two hashes, 0 to 1."""
    return 1.0 - bin(a ^ b).count("1") / (SIZE * SIZE)


def png_bytes(data: object) -> bytes | None:
    """A notebook's ``image/png`` value (base64 text, maybe split in lines) as bytes."""
    text = "".join(data) if isinstance(data, list) else data
    if not isinstance(text, str):
        return None
    try:
        return base64.b64decode(text.replace("\n", ""), validate=False)
    except (binascii.Error, ValueError):
        return None


def png_similarity(a: object, b: object) -> float | None:
    """How alike two ``image/png`` values look (1.0: same hash); None if one is unreadable."""
    raw_a, raw_b = png_bytes(a), png_bytes(b)
    if raw_a is None or raw_b is None:
        return None
    if raw_a == raw_b:
        return 1.0
    hash_a, hash_b = dhashes(raw_a), dhashes(raw_b)
    if hash_a is None or hash_b is None:
        return None
    return max(similarity(x, y) for x, y in zip(hash_a, hash_b, strict=True))
