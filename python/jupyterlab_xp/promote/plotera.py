"""What a notebook's stored plots say about the matplotlib that drew them: size, DPI and style.

Until matplotlib-inline 0.1.4 (2022) the inline backend drew every figure at 6x4 inches and 72
DPI (a 432x288 canvas; today's default is 6.4x4.8 at 100), and matplotlib before 2.0 drew in
what is now its ``classic`` style (pure blue ``b`` as the first line colour, where 2.0 and later
use ``tab:blue``). A plot redrawn today differs from the stored one by both, whatever it shows.
:func:`settings` reads the evidence — a figure's repr in the stored text, the stored PNGs' pixel
sizes and colours — and the shims cell (:mod:`.shims`) draws new figures the same way, and says
so in the verdict. No evidence, no change.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from typing import Any

from jupyterlab_xp.promote.imagehash import png_bytes

OLD_INLINE = (6.0, 4.0, 72)  # figsize (inches) and DPI of the inline backend before 2022
_FIGURE_REPR = re.compile(r"<Figure size (\d+(?:\.\d+)?)x(\d+(?:\.\d+)?) with")
MAX_IMAGES = 40  # stored PNGs read for colours
CLASSIC_BLUE, TAB_BLUE = (0, 0, 255), (31, 119, 180)


def _outputs(notebook: dict[str, Any] | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for cell in (notebook or {}).get("cells", []):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            out += [o for o in cell.get("outputs", []) if isinstance(o, dict)]
    return out


def png_size(raw: bytes) -> tuple[int, int] | None:
    """A PNG's width and height from its header (no decoding)."""
    if len(raw) < 24 or not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    return int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")


def _images(notebook: dict[str, Any] | None) -> list[bytes]:
    found = []
    for out in _outputs(notebook):
        data = out.get("data") or {}
        raw = png_bytes(data.get("image/png")) if "image/png" in data else None
        if raw:
            found.append(raw)
    return found


def _round_inches(width: float, height: float, dpi: int) -> bool:
    """Whether a ``width`` x ``height`` pixel figure is whole tenths of an inch at ``dpi``."""
    return all(abs(v * 10 / dpi - round(v * 10 / dpi)) < 1e-6 for v in (width, height))


def _figure_size(notebook: dict[str, Any] | None, images: list[bytes]) -> tuple[float, ...] | None:
    texts = []
    for out in _outputs(notebook):
        plain = (out.get("data") or {}).get("text/plain")
        texts.append("".join(plain) if isinstance(plain, list) else str(plain or ""))
    reprs = Counter(m.groups() for m in _FIGURE_REPR.finditer("\n".join(texts)))
    if reprs:
        # A figure's repr is its figsize times the DPI: figsizes are round (8x3, 12x4 inches),
        # so 576x216 was drawn at 72 DPI and 800x300 at 100. The sizes whose inches come out
        # round at only one of the two vote (1080x720 is 15x10 or 10.8x7.2: no vote).
        old = new = 0
        for (width, height), count in reprs.items():
            at72 = _round_inches(float(width), float(height), 72)
            at100 = _round_inches(float(width), float(height), 100)
            old += count if at72 and not at100 else 0
            new += count if at100 and not at72 else 0
        return OLD_INLINE if old > new else None
    sizes = [s for s in (png_size(raw) for raw in images) if s]
    if len(sizes) < 2:
        return None
    # Cropped to their content ("tight"), 6x4-inch figures at 72 DPI are about 370x250 pixels;
    # today's 6.4x4.8 at 100 DPI about 550x410.
    width = statistics.median(w for w, _ in sizes)
    height = statistics.median(h for _, h in sizes)
    return OLD_INLINE if 300 <= width <= 450 and height <= 320 else None


def _classic(images: list[bytes]) -> bool:
    """More pure-blue than tab:blue pixels in the stored plots: matplotlib 1.x colours."""
    import io

    from PIL import Image, UnidentifiedImageError

    classic = tab = 0
    for raw in images[:MAX_IMAGES]:
        try:
            with Image.open(io.BytesIO(raw)) as image:
                colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
        except (UnidentifiedImageError, OSError, ValueError):
            continue
        for count, colour in colours:
            if colour == CLASSIC_BLUE:
                classic += count
            elif colour == TAB_BLUE:
                tab += count
    return classic >= 50 and classic > 2 * tab


def settings(notebook: dict[str, Any] | None) -> dict[str, Any] | None:
    """``{"figsize": [w, h], "dpi": d, "style": "classic" | None}`` when the stored plots were
    drawn by an older matplotlib or inline backend; None when nothing says so."""
    images = _images(notebook)
    if not images:
        return None
    size = _figure_size(notebook, images)
    style = "classic" if _classic(images) else None
    if size is None and style is None:
        return None
    out: dict[str, Any] = {"style": style}
    if size is not None:
        out.update(figsize=[size[0], size[1]], dpi=size[2])
    return out
