"""Views derived from a run's journal: the cell executions, the seeds, where a kernel died.

The journal is the single source of truth; these functions build the ``xp/cells.jsonl`` and
``xp/seeds.json`` artifacts from it, for a run that stopped and for one whose kernel died alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jupyterlab_xp.core import tags

# Cell-execution statuses in cells.jsonl.
OK = "ok"
ERROR = "error"
DIED = "died"  # started, never ended: the kernel died in this cell
RUNNING = "running"  # started, not ended yet, kernel alive
# What the run's sync process measured over each cell (its GPUs, swap), one JSON line per cell, in
# the run folder beside the journal: the kernel's journal is the kernel's alone.
CELL_READINGS_FILE = "cell-readings.jsonl"
CELL_READINGS = (
    "gpu_utilization_percent",
    "gpu_memory_share",
    "gpu_memory_busy_percent",
    "swap_in_mb_per_s",
)


def cell_executions(records: Iterable[dict[str, Any]], alive: bool = False) -> list[dict[str, Any]]:
    """One dict per cell execution, in order, merging each ``cell_start`` with its ``cell_end``.

    Args:
        records: the journal's records.
        alive: True while the kernel still runs (an unfinished cell is ``running``, not ``died``).
    """
    cells: dict[int, dict[str, Any]] = {}
    for rec in records:
        kind = rec.get("type")
        if kind == "cell_start":
            cells[rec["cell"]] = {
                "seq": rec["cell"],
                "execution_count": rec.get("execution_count"),
                "cell_id": rec.get("cell_id"),
                "source": rec.get("source", ""),
                "sha256": rec.get("sha256"),
                "start": rec["t"],
                "duration": None,
                "status": RUNNING if alive else DIED,
                "error_name": None,
                "error_value": None,
                "peak_rss_mb": None,
                "loader_wait": None,
                "busy": None,
            }
        elif kind == "cell_end" and rec.get("cell") in cells:
            cell = cells[rec["cell"]]
            cell["duration"] = rec.get("duration")
            cell["status"] = rec.get("status", OK)
            cell["error_name"] = rec.get("error_name")
            cell["error_value"] = rec.get("error_value")
            cell["peak_rss_mb"] = rec.get("peak_rss_mb")
            cell["loader_wait"] = rec.get("loader_wait")  # (absent from older journals)
            cell["busy"] = rec.get("busy")
            if rec.get("execution_count") is not None:
                cell["execution_count"] = rec["execution_count"]
    return [cells[k] for k in sorted(cells)]


def add_cell_readings(cells: list[dict[str, Any]], run_dir: Path) -> None:
    """Add the sync process's readings of each cell (``CELL_READINGS_FILE``) to ``cells``."""
    try:
        text = (run_dir / CELL_READINGS_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return  # none measured (no GPU), or a run recorded before these readings
    by_cell = {cell["seq"]: cell for cell in cells}
    for line in text.splitlines():
        try:
            reading = json.loads(line)
            cell = by_cell[reading["cell"]]
        except (ValueError, KeyError, TypeError):
            continue  # a line torn by a crash
        cell.update({k: reading[k] for k in CELL_READINGS if k in reading})


def cells_jsonl(cells: list[dict[str, Any]]) -> str:
    """The ``xp/cells.jsonl`` text: one JSON object per line."""
    return "".join(json.dumps(c, ensure_ascii=False, sort_keys=True) + "\n" for c in cells)


def died_in(cells: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The execution the kernel died in (the last one that started and never ended), if any."""
    unfinished = [c for c in cells if c["status"] in (DIED, RUNNING)]
    return unfinished[-1] if unfinished else None


def describe_cell(cell: dict[str, Any]) -> str:
    """A one-line name for an execution: ``#3 [5] cell abc123: import os; os._exit(1)``."""
    first = next((ln.strip() for ln in cell.get("source", "").splitlines() if ln.strip()), "")
    count = cell.get("execution_count")
    where = f"cell {cell['cell_id']}" if cell.get("cell_id") else "cell"
    label = f"#{cell['seq']}" + (f" [{count}]" if count is not None else "")
    return f"{label} {where}: {first[:120]}"


def seeds_summary(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The ``xp/seeds.json`` content: root seed, what was seeded when, and the user's calls."""
    summary: dict[str, Any] = {
        "seed": None,
        "seed_source": None,
        "pythonhashseed": None,
        "libraries": {},
        "seeded": [],
        "determinism": {},
        "user_calls": [],
        "named": {},
        "dataloaders": [],
        "errors": [],
    }
    current_cell: int | None = None
    for rec in records:
        kind = rec.get("type")
        if kind == "run_start":
            seeds = rec.get("seeds", {})
            summary["seed"] = seeds.get("seed")
            summary["seed_source"] = seeds.get("source")
            summary["pythonhashseed"] = seeds.get("pythonhashseed")
            summary["libraries"] = dict(seeds.get("libraries", {}))
            summary["determinism"] = dict(seeds.get("determinism", {}))
        elif kind == "cell_start":
            current_cell = rec["cell"]
        elif kind == "seeded":
            summary["libraries"][rec["library"]] = "seeded"
            summary["seeded"].append(
                {
                    "library": rec["library"],
                    "seed": rec.get("seed"),
                    "t": rec["t"],
                    "cell": current_cell,
                }
            )
        elif kind == "determinism":
            summary["determinism"].update({k: v for k, v in rec.items() if k not in _META})
        elif kind == "seed_call":
            summary["user_calls"].append(
                {"fn": rec["fn"], "args": rec.get("args", []), "t": rec["t"], "cell": current_cell}
            )
        elif kind == "param":  # xp.seed(NAME): seed.NAME, derived from the root seed
            for key, value in rec.get("params", {}).items():
                if key.startswith(tags.NAMED_SEED_PREFIX):
                    summary["named"][key.removeprefix(tags.NAMED_SEED_PREFIX)] = value
        elif kind == "dataloader":
            summary["dataloaders"].append(
                {k: rec.get(k) for k in ("num_workers", "persistent_workers", "generator", "seed")}
                | {"cell": current_cell}
            )
        elif kind == "seed_error":
            summary["errors"].append({"library": rec.get("library"), "error": rec.get("error")})
    return summary


_META = {"seq", "t", "type"}
