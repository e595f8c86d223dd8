"""What a notebook's stored outputs say about the pandas that printed them: text as ``object``.

pandas 3 stores text in its ``str`` dtype, where every pandas before it used ``object``: a
notebook saved earlier shows ``dtype: object`` in its outputs, and code that relied on it (a
``fill_value=0`` in a text column) raises today. :func:`object_strings` reads the evidence and
the shims cell (:mod:`.shims`) keeps text as ``object`` for that notebook, and says so in the
verdict. No evidence, or any ``str`` dtype shown, no change.
"""

from __future__ import annotations

import re
from typing import Any

_OBJECT = re.compile(r"dtype(?::|=) ?'?object\b")
_STR = re.compile(r"dtype(?::|=) ?'?(?:str|string)\b")


def _texts(notebook: dict[str, Any] | None) -> str:
    out = []
    for cell in (notebook or {}).get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            if not isinstance(output, dict):
                continue
            for value in (output.get("text"), (output.get("data") or {}).get("text/plain")):
                out.append("".join(value) if isinstance(value, list) else str(value or ""))
    return "\n".join(out)


def object_strings(notebook: dict[str, Any] | None) -> bool:
    """Whether the stored outputs show ``dtype: object`` and never pandas 3's ``str``."""
    text = _texts(notebook)
    return bool(_OBJECT.search(text)) and not _STR.search(text)
