"""Build what a promotion runs: the notebook in the chosen order, and the bundle's other files.

Orders:
- ``recorded``: what the kernel ran before ``%xp start`` (the prelude), then the journal's
  successful executions in sequence: what actually produced the source run's result.
- ``execution-count``: the notebook's cells sorted by their stored execution counts, the way
  reproducibility studies restore the order of a notebook recorded elsewhere.
- ``auto``: the execution-count order mended by def-use analysis (:mod:`.repair`): a cell that
  defines a name moves before its first use, a cell without a count that defines a needed name
  is included; what is left out is listed. The default for a notebook file.
- ``notebook``: every code cell, top to bottom.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.promote import pandasera, plotera, repair, trust
from jupyterlab_xp.promote import shims as shim_cell
from jupyterlab_xp.promote.notebook_run import ADDED
from jupyterlab_xp.promote.orders import ORDERS
from jupyterlab_xp.promote.source import Source, cell_source, sha256

SHIMS_TAG = "xp-shims"  # the cell that installs the compatibility shims
_STARTS = re.compile(r"^\s*(%xp\s+start\b|%load_ext\s+jupyterlab_xp\b)|\bxp\.start\(", re.M)
_STOPS = re.compile(r"^\s*%xp\s+stop\b|\bxp\.stop\(", re.M)
# Interactive-only actions: a job has nobody to show them to, and promote must not recurse.
_INTERACTIVE = re.compile(r"^\s*%xp\s+(promote|status|runs|compare)\b.*$", re.M)


@dataclass
class PlannedCell:
    """One code cell of the notebook to run."""

    source: str
    label: str  # where it came from, for error messages: "cell 3", "seq 7 (cell abc)"
    source_cell_id: str | None = None  # the source notebook's cell, for output comparison
    parameters: bool = False
    outputs: list[dict[str, Any]] = field(default_factory=list)  # stored outputs (source)
    position: int | None = None  # its number among the notebook's code cells (1-based)

    def __post_init__(self) -> None:
        # Labels hold store values (cell ids, counts) and become comments in script.py: one line.
        self.label = trust.one_line(self.label)


def orders_for(source: Source) -> list[str]:
    """The orders ``source`` supports (``recorded`` needs a journal; the others a notebook)."""
    orders = ["recorded"] if source.executions else []
    if source.code_cells:
        orders += ["auto", "execution-count", "notebook"]
    return orders


def default_order(source: Source) -> str:
    """``recorded`` for a recorded run, ``auto`` for a notebook file."""
    return orders_for(source)[0] if orders_for(source) else "notebook"


def notebook_repair_cells(source: Source) -> list[repair.Cell]:
    """The notebook's code cells as :mod:`.repair` reads them."""
    code = source.code_cells
    return repair.notebook_cells(code, [cell_source(c) for c in code])


def auto_repair(source: Source) -> repair.Repair:
    """The ``auto`` order of ``source``'s notebook and how it was found."""
    cells = notebook_repair_cells(source)
    params_cell = source.parameters_cell
    first = next((n for n, c in enumerate(source.code_cells, start=1) if c is params_cell), None)
    if not any(c.count is not None for c in cells):
        found = repair.Repair([c.number for c in cells])
        found.steps.append("the notebook holds no execution counts: top to bottom")
        return found
    return repair.plan(cells, first)


def planned_from_numbers(source: Source, numbers: list[int]) -> list[PlannedCell]:
    """Planned cells for code cells ``numbers`` (1-based), with start and stop as in
    :func:`plan_cells`."""
    return _finish(source, _numbered(source, numbers, "auto"))


def plan_cells(source: Source, order: str) -> list[PlannedCell]:
    """The cells to run for ``order``, with a ``parameters`` cell, a start and a stop."""
    if order not in ORDERS:
        raise XpError(f"order must be one of {', '.join(ORDERS)}, got {order[:40]!r}")
    if order not in orders_for(source):
        raise XpError(
            f"order {order!r} needs "
            + ("a recorded run" if order == "recorded" else "a notebook with code cells")
        )
    if order == "recorded":
        cells = _recorded(source)
    elif order == "auto":
        cells = _numbered(source, auto_repair(source).order, order)
    else:
        cells = _from_notebook(source, order)
    return _finish(source, cells)


def _finish(source: Source, cells: list[PlannedCell]) -> list[PlannedCell]:
    cells = [c for c in cells if c.source.strip() or c.parameters]
    for cell in cells:
        cell.source = _INTERACTIVE.sub(
            r"# (interactive only, skipped by promote) \g<0>", cell.source
        )
    if not any(c.parameters for c in cells):
        cells.insert(0, _parameters_cell(source.params))
    first_param = next(i for i, c in enumerate(cells) if c.parameters)
    if not any(_STARTS.search(c.source) for c in cells):
        seed = f" --seed {source.seed}" if source.seed is not None else ""
        start = PlannedCell(f"%load_ext jupyterlab_xp\n%xp start{seed}", ADDED)
        cells.insert(first_param + 1, start)
    if not any(_STOPS.search(c.source) for c in cells):
        cells.append(PlannedCell("%xp stop", ADDED))
    return cells


def _parameters_cell(params: dict[str, Any]) -> PlannedCell:
    lines = ["# Parameters (papermill convention); created by promote from the run's params."]
    lines += [f"{name} = {value!r}" for name, value in params.items()]
    return PlannedCell("\n".join(lines), "parameters (added by promote)", parameters=True)


def _recorded(source: Source) -> list[PlannedCell]:
    by_id = {c.get("id"): c for c in source.code_cells if c.get("id")}
    by_sha: dict[str, dict[str, Any]] = {}
    for cell in source.code_cells:
        by_sha.setdefault(sha256(cell_source(cell)), cell)
    params_cell = source.parameters_cell
    params_sha = sha256(cell_source(params_cell)) if params_cell is not None else None
    cells: list[PlannedCell] = []
    for item in source.prelude:
        text = str(item.get("source", ""))
        match = by_sha.get(sha256(text))
        if source.code_cells and match is None:
            continue  # run before the start but no longer in the notebook: exploration
        cells.append(
            PlannedCell(
                text,
                f"In [{item.get('execution_count')}] before %xp start",
                source_cell_id=(match or {}).get("id"),
                parameters=params_sha is not None and sha256(text) == params_sha,
            )
        )
    last_index: dict[str, int] = {}
    for ex in source.executions:
        if ex.get("status") != "ok":
            continue
        text = str(ex.get("source", ""))
        cell_id = ex.get("cell_id")
        match = by_id.get(cell_id) if cell_id else by_sha.get(str(ex.get("sha256")))
        label = f"seq {ex.get('seq')}" + (f" (cell {cell_id})" if cell_id else "")
        is_params = params_sha is not None and ex.get("sha256") == params_sha
        cells.append(PlannedCell(text, label, (match or {}).get("id"), parameters=is_params))
        if match is not None and match.get("id"):
            last_index[match["id"]] = len(cells) - 1
    _keep_one_parameters_cell(cells)
    # Stored outputs belong to each notebook cell's last execution.
    outputs = {c.get("id"): c.get("outputs", []) for c in source.code_cells}
    for cell_id, index in last_index.items():
        cells[index].outputs = outputs.get(cell_id) or []
    return cells


def _keep_one_parameters_cell(cells: list[PlannedCell]) -> None:
    """papermill injects after the first ``parameters`` cell; later re-runs are plain cells."""
    seen = False
    for cell in cells:
        if cell.parameters and seen:
            cell.parameters = False
        seen = seen or cell.parameters


def _from_notebook(source: Source, order: str) -> list[PlannedCell]:
    code = list(enumerate(source.code_cells, start=1))
    if order == "execution-count":
        params_cell = source.parameters_cell
        counted = [(n, c) for n, c in code if isinstance(c.get("execution_count"), int)]
        counted.sort(key=lambda item: item[1]["execution_count"])
        if params_cell is not None and all(c is not params_cell for _, c in counted):
            counted.insert(0, next((n, c) for n, c in code if c is params_cell))
        if not counted:
            raise XpError("the notebook holds no execution counts: use order 'notebook'")
        code = counted
    return _numbered(source, [number for number, _ in code], order)


def _numbered(source: Source, numbers: list[int], order: str) -> list[PlannedCell]:
    code = source.code_cells
    params_cell = source.parameters_cell
    return [
        PlannedCell(
            cell_source(cell),
            f"cell {number}"
            + (
                f" (In [{cell['execution_count']}])"
                if order != "notebook" and cell.get("execution_count")
                else ""
            ),
            cell.get("id"),
            parameters=cell is params_cell,
            outputs=list(cell.get("outputs", [])),
            position=number,
        )
        for number, cell in ((n, code[n - 1]) for n in numbers)
    ]


def build_notebook(
    source: Source, cells: list[PlannedCell], order: str, shims: bool = False
) -> dict[str, Any]:
    """The nbformat 4.5 notebook to execute (cell ids unique, origins in cell metadata).

    ``shims``: first a cell that installs :mod:`.shims` (tagged :data:`SHIMS_TAG`: it is not
    one of ``cells``, so progress and verification leave it out)."""
    origin = f"run {source.run_id}" if source.run_id else f"notebook {source.name}"
    header = (
        f"# {source.name}: promoted by jupyterlab-xp\n\n"
        f"From {origin}, in `{order}` order. The cell tagged `parameters` holds the defaults; "
        "papermill injects overrides after it. Each code cell's metadata names where it came from."
    )
    nb_cells: list[dict[str, Any]] = [
        {"cell_type": "markdown", "id": "xp-header", "metadata": {}, "source": header}
    ]
    if shims:
        nb_cells.append(
            {
                "cell_type": "code",
                "id": "xp-shims",
                "metadata": {"xp": {"origin": ADDED}, "tags": [SHIMS_TAG]},
                "source": shim_cell.cell_source(
                    plotera.settings(source.notebook), pandasera.object_strings(source.notebook)
                ),
                "execution_count": None,
                "outputs": [],
            }
        )
    for index, cell in enumerate(cells):
        metadata: dict[str, Any] = {"xp": {"origin": cell.label}}
        if cell.source_cell_id:
            metadata["xp"]["source_cell_id"] = cell.source_cell_id
        if cell.position is not None:
            metadata["xp"]["position"] = cell.position
        if cell.parameters:
            metadata["tags"] = ["parameters"]
        stored_error = next((o for o in cell.outputs if o.get("output_type") == "error"), None)
        if stored_error is not None:
            # The stored notebook shows this cell raising: raising the same again reproduces it.
            metadata["xp"]["stored_error"] = str(stored_error.get("ename"))
            metadata.setdefault("tags", []).append("raises-exception")
        nb_cells.append(
            {
                "cell_type": "code",
                "id": f"xp-{index:04d}",
                "metadata": metadata,
                "source": cell.source,
                "execution_count": None,
                "outputs": [],
            }
        )
    source_meta = (source.notebook or {}).get("metadata", {})
    metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": source_meta.get("language_info", {"name": "python"}),
        "xp": {"source_run": source.run_id, "order": order},
    }
    return {"cells": nb_cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def dumps_notebook(notebook: dict[str, Any]) -> str:
    """Notebook JSON as Jupyter writes it."""
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def plan_summary(source: Source) -> dict[str, int]:
    """How many code cells each supported order runs (with papermill's injected parameters)."""
    out: dict[str, int] = {}
    injected = 1 if source.params else 0
    for order in orders_for(source):
        try:
            out[order] = len(plan_cells(source, order)) + injected
        except XpError:
            continue
    return out


def source_tags_id(job_id: str, seed: int, attempt: int = 1) -> str:
    """The promoted run's ``xp.promotion.id``; an ``auto`` order's later attempts (after a
    repair) are runs of their own, and their id says so."""
    return f"{job_id}:{seed}" + (f":attempt{attempt}" if attempt > 1 else "")


def source_tags(
    source: Source, job_id: str, seed: int, order: str, attempt: int = 1
) -> dict[str, str]:
    """Tags every promoted run carries: what it reproduces and which job made it."""
    run_tags = {
        tags.PROMOTION_ID: source_tags_id(job_id, seed, attempt),
        tags.PROMOTION_ORDER: order,
    }
    if source.run_id:
        run_tags[tags.SOURCE_RUN] = source.run_id
    return run_tags
