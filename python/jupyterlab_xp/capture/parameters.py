"""The parameters cell (papermill's convention): find it in a notebook, read the values it sets."""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jupyterlab_xp.core.tags import MAX_PARAM_VALUE

PARAMETER_TAGS = ("parameters", "injected-parameters")  # papermill's conventions


def parameter_cell_sources(notebook: Path) -> list[str]:
    """Sources of the notebook's ``parameters`` then ``injected-parameters`` cells, as saved.

    Reads the file as plain JSON: nbformat costs two seconds to import.
    """
    try:
        data = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    found: dict[str, list[str]] = {t: [] for t in PARAMETER_TAGS}
    for cell in data.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        cell_tags = cell.get("metadata", {}).get("tags", [])
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        for tag in PARAMETER_TAGS:
            if tag in cell_tags:
                found[tag].append(source)
    return found["parameters"] + found["injected-parameters"]


def parameters_from_source(source: str, user_ns: Mapping[str, Any] | None) -> dict[str, Any]:
    """The parameters a ``parameters`` cell sets: its simple assignments.

    The value is the one in the user's namespace when it is a plain literal (that is what the
    code ran with, after papermill's injected cell), else the literal written in the cell.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    values: dict[str, Any] = {}
    for node in tree.body:
        targets: list[ast.expr]
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            if not isinstance(target, ast.Name):
                continue
            live = literal_or_none((user_ns or {}).get(target.id, _MISSING))
            if live is not None:
                values[target.id] = live
                continue
            try:
                values[target.id] = ast.literal_eval(value)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
    return values


_MISSING = object()


def literal_or_none(value: Any) -> Any:
    """``value`` when it is a plain literal (round-trips through ``repr``), else None."""
    if value is _MISSING:
        return None
    try:
        text = repr(value)
        if len(text) > MAX_PARAM_VALUE:
            return None
        return value if ast.literal_eval(text) == value else None
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
