"""What a promotion's executed notebook says about a failure: the cell that failed, or showed one.

Read by the job process after papermill returns; each cell is named by its first line, its place
in the executed notebook and where it came from (the cell's ``xp.origin`` metadata).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyterlab_xp.core.files import read_json
from jupyterlab_xp.promote.source import cell_source


def _cells(path: Path) -> list[dict[str, Any]]:
    data = read_json(path)
    cells = data.get("cells", []) if isinstance(data, dict) else []
    return [c for c in cells if c.get("cell_type") == "code"]


def _describe(cell: dict[str, Any], number: int) -> str:
    origin = cell.get("metadata", {}).get("xp", {}).get("origin")
    first = (cell_source(cell).strip().splitlines() or [""])[0][:80]
    return f"`{first}` (cell {number} of the executed notebook" + (
        f"; {origin})" if origin else ")"
    )


def failed_cell(path: Path, execution_count: int | None) -> str | None:
    """The cell papermill names (by execution count), else the last one it started.

    (papermill marks a timed-out cell "completed", so its status cannot tell.)
    """
    for number, cell in enumerate(_cells(path), start=1):
        if execution_count is not None and cell.get("execution_count") == execution_count:
            return _describe(cell, number)
    started = [
        (number, cell)
        for number, cell in enumerate(_cells(path), start=1)
        if cell.get("metadata", {}).get("papermill", {}).get("start_time")
    ]
    return _describe(started[-1][1], started[-1][0]) if started else None


def error_output_cell(path: Path) -> str | None:
    """The first cell that shows an error output (one papermill let pass), if any."""
    for number, cell in enumerate(_cells(path), start=1):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return _describe(cell, number)
    return None
