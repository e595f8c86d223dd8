"""The notebook order verdict: does a top-to-bottom run replay what was executed?

Compares a run's cell journal with the notebook as it is now. Cells are matched by cell id
(JupyterLab sends one with every execution) and, without ids (papermill, consoles), by source.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


def _sha(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()


def notebook_code_cells(path: Path) -> list[dict[str, Any]] | None:
    """``[{id, source, sha256, position}]`` for the notebook's code cells, or None if unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    cells: list[dict[str, Any]] = []
    for cell in data.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        cells.append(
            {"id": cell.get("id"), "source": source, "sha256": _sha(source), "position": len(cells)}
        )
    return cells


def order_verdict(
    executions: list[dict[str, Any]], notebook: list[dict[str, Any]] | None
) -> dict[str, Any]:
    """The verdict for ``executions`` (cells.jsonl entries) against ``notebook``'s code cells.

    Returns:
        ``linear`` (True/False, None when the notebook is unknown), human-readable ``reasons``,
        and the cell lists behind them: ``out_of_order``, ``re_run``, ``edited_after_run``,
        ``deleted``, ``never_run``, ``failed``.
    """
    verdict: dict[str, Any] = {
        "linear": None,
        "reasons": [],
        "out_of_order": [],
        "re_run": [],
        "edited_after_run": [],
        "deleted": [],
        "never_run": [],
        "failed": [],
    }
    if notebook is None:
        verdict["reasons"].append("the notebook file is unknown, so order cannot be judged")
        return verdict
    if not executions:
        verdict["reasons"].append("no cell executions were recorded, so order cannot be judged")
        return verdict
    by_id = {c["id"]: c for c in notebook if c["id"]}
    by_sha: dict[str, dict[str, Any]] = {}
    for cell in notebook:
        by_sha.setdefault(cell["sha256"], cell)
    ran: dict[int, list[dict[str, Any]]] = {}
    positions: list[int] = []
    for ex in executions:
        cell_id, sha = ex.get("cell_id"), ex.get("sha256")
        match = by_id.get(cell_id) if cell_id else by_sha.get(str(sha))
        label = ex.get("cell_id") or f"#{ex['seq']}"
        if match is None:
            verdict["deleted"].append(label)
            continue
        if ex.get("status") != "ok":
            verdict["failed"].append(label)
            continue
        position = match["position"]
        if positions and position < positions[-1]:
            verdict["out_of_order"].append(label)
        positions.append(position)
        ran.setdefault(position, []).append(ex)
    for position, runs in sorted(ran.items()):
        cell = notebook[position]
        label = cell["id"] or f"cell {position + 1}"
        if len(runs) > 1:
            verdict["re_run"].append(label)
        if runs[-1].get("sha256") != cell["sha256"]:
            verdict["edited_after_run"].append(label)
    if ran:
        first, last = min(ran), max(ran)
        verdict["never_run"] = [
            c["id"] or f"cell {c['position'] + 1}"
            for c in notebook[first : last + 1]
            if c["position"] not in ran and c["source"].strip()
        ]
    reasons = verdict["reasons"]
    for key, text in (
        ("out_of_order", "ran out of notebook order"),
        ("re_run", "ran more than once"),
        ("edited_after_run", "edited after they ran"),
        ("deleted", "deleted from the notebook after they ran"),
        ("never_run", "skipped (never ran) between cells that did"),
    ):
        if verdict[key]:
            reasons.append(f"{len(verdict[key])} cell(s) {text}: {', '.join(verdict[key][:5])}")
    verdict["linear"] = not reasons
    if verdict["linear"]:
        reasons.append("a top-to-bottom run replays the recorded executions")
    return verdict
