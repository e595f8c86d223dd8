"""What a promotion's executed notebook says about a failure: the cell that failed, or showed one.

Read by the job process after papermill returns; each cell is named by its first line, its place
in the executed notebook and where it came from (the cell's ``xp.origin`` metadata).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyterlab_xp.core.files import read_json
from jupyterlab_xp.promote import diagnose
from jupyterlab_xp.promote.build import SHIMS_TAG
from jupyterlab_xp.promote.source import cell_source


def _cells(path: Path) -> list[dict[str, Any]]:
    data = read_json(path)
    cells = data.get("cells", []) if isinstance(data, dict) else []
    # The shims cell promote adds first is not one of the planned cells: numbers skip it.
    return [
        c
        for c in cells
        if c.get("cell_type") == "code" and SHIMS_TAG not in c.get("metadata", {}).get("tags", [])
    ]


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
    """The first cell that shows an error output (one papermill let pass), if any.

    A cell whose stored outputs showed the same error (``xp.stored_error``) reproduced it.
    """
    for number, cell in enumerate(_cells(path), start=1):
        expected = cell.get("metadata", {}).get("xp", {}).get("stored_error")
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and out.get("ename") != expected:
                return _describe(cell, number)
    return None


def reproduced_stored_error(path: Path, execution_count: int | None) -> bool:
    """Whether the cell papermill stopped at shows the error its saved outputs showed.

    Only then did the notebook do what it always did; an error papermill saw that no cell shows
    as an error output (IPython can fail to format a traceback) is a failure, not a match.
    """
    for cell in _cells(path):
        if execution_count is None or cell.get("execution_count") != execution_count:
            continue
        expected = cell.get("metadata", {}).get("xp", {}).get("stored_error")
        return expected is not None and any(
            out.get("output_type") == "error" and out.get("ename") == expected
            for out in cell.get("outputs", [])
        )
    return False


def failure_details(path: Path, execution_count: int | None) -> dict[str, Any] | None:
    """The failing cell's error, read from its error output (:func:`diagnose.failure`), with
    the cell's place in the source notebook (``position``), if it showed one."""
    for cell in _cells(path):
        meta = cell.get("metadata", {}).get("xp", {})
        by_count = execution_count is not None and cell.get("execution_count") == execution_count
        for out in cell.get("outputs", []):
            if out.get("output_type") != "error" or out.get("ename") == meta.get("stored_error"):
                continue
            if execution_count is None or by_count:
                return {**diagnose.failure(out), "position": meta.get("position")}
    return None


def explain(
    path: Path,
    outcome: str,
    error: str | None,
    failed_at: int | None,
    cell: str | None,
    source: dict[str, Any] | None = None,
) -> tuple[str | None, dict[str, Any] | None]:
    """The run's error line (cell, error, failing line, whose code raised, a known removal's
    next step and what the ``source`` notebook's stored outputs suggest) and the failure's
    details (None unless it failed on an error output)."""
    details = None
    if outcome == "failed":
        details = failure_details(path, failed_at) or failure_details(path, None)
    if details and details.get("removal"):
        removal = details["removal"]
        removal["outputs_suggest"] = diagnose.output_hints(source, removal["package"])
    if details and error is None:  # papermill named a reproduced error, not this one
        error = f"{details['ename']}: {details['evalue']}"[:300]
    if cell is not None and error and not error.startswith("error output"):
        error = f"{cell}: {error}"
    hint = diagnose.describe(details) if details else ""
    return (f"{error} ({hint})" if error and hint else error), details
