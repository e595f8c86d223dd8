"""Perceptual hashes of PNG outputs: do two plots look alike, whatever their size and encoding.

A difference hash (dHash): the image in grey, shrunk to (SIZE+1)xSIZE, one bit per pair of
horizontal neighbours (is the left one brighter). Re-encoding, a new figure size (matplotlib's
default changed) and anti-aliasing move few bits; a different curve moves many. Similarity is
the share of equal bits.
"""

from __future__ import annotations

import base64
import binascii
import io

SIZE = 16  # 256 bits: coarse enough for drift, fine enough to tell two curves apart
SIMILAR = 0.9  # at least this share of equal bits looks the same to a reader


def dhash(png: bytes) -> int | None:
    """The image's difference hash, or None when it is not an image Pillow can read."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(png)) as image:
            grey = image.convert("L").resize((SIZE + 1, SIZE), Image.Resampling.LANCZOS)
            pixels = grey.tobytes()  # one byte per pixel in mode L
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    bits = 0
    for row in range(SIZE):
        for col in range(SIZE):
            left, right = pixels[row * (SIZE + 1) + col], pixels[row * (SIZE + 1) + col + 1]
            bits = (bits << 1) | (left > right)
    return bits


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
    hash_a, hash_b = dhash(raw_a), dhash(raw_b)
    if hash_a is None or hash_b is None:
        return None
    return similarity(hash_a, hash_b)
