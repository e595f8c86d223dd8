"""Did a promoted run reproduce its source? Metrics, and stored text outputs cell by cell.

Metrics: every metric of the source run against the promoted run's latest value: all equal is
"exact", all within the tolerance is
"within-tolerance", anything else (or a metric missing) "differs". Two numbers are close when
``math.isclose(a, b, rel_tol=tolerance, abs_tol=ABS_TOLERANCE)``: relative, as the README says,
with a small absolute floor so that values that should be zero may differ by rounding.

Outputs: every cell from the source gets a class (:mod:`.cellcheck`: identical, same-values,
within-tolerance, environment, random, differs, no-stored-output, skipped, notebook-export);
"verified" means every compared cell is identical, same-values, within-tolerance or differs
only where it reports the environment.
"""

from __future__ import annotations

import ast
import math
import re
import sys
from pathlib import PurePath
from typing import Any

from jupyterlab_xp.promote import cellcheck, normalize, randomness
from jupyterlab_xp.promote.build import ADDED, PlannedCell

DEFAULT_TOLERANCE = 1e-6
ABS_TOLERANCE = 1e-12  # below this, two values are the same number whatever their ratio


def close(a: float, b: float, tolerance: float) -> bool:
    """Equal within a relative ``tolerance`` (and :data:`ABS_TOLERANCE`); NaN equals NaN."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=tolerance, abs_tol=ABS_TOLERANCE)


def compare_metrics(
    source: dict[str, float], promoted: dict[str, float], tolerance: float
) -> dict[str, Any]:
    """The verdict, the number of metrics compared and the largest differences first."""
    keys = sorted(k for k in source if not k.startswith("system/"))  # machine load, not results
    diffs: list[dict[str, Any]] = []
    verdict = "exact" if keys else "no-metrics"
    for key in keys:
        a, b = source[key], promoted.get(key)
        if b is None:
            diffs.append(
                {"key": key, "source": a, "promoted": None, "abs_diff": None, "rel_diff": None}
            )
            verdict = "differs"
            continue
        if a == b or (math.isnan(a) and math.isnan(b)):
            continue
        abs_diff = abs(a - b)
        rel = abs_diff / max(abs(a), abs(b)) if max(abs(a), abs(b)) > 0 else None
        diffs.append(
            {"key": key, "source": a, "promoted": b, "abs_diff": abs_diff, "rel_diff": rel}
        )
        if not close(a, b, tolerance):
            verdict = "differs"
        elif verdict == "exact":
            verdict = "within-tolerance"
    missing = [d for d in diffs if d["abs_diff"] is None]
    present = sorted(
        (d for d in diffs if d["abs_diff"] is not None),
        key=lambda d: -(d["rel_diff"] if d["rel_diff"] is not None else d["abs_diff"]),
    )
    return {
        "verdict": verdict,
        "tolerance": tolerance,
        "metrics_compared": len(keys),
        "largest": (missing + present)[:10],
    }


def same_text(a: str, b: str, tolerance: float) -> bool:
    """Equal after normalising, with numbers compared within ``tolerance``."""
    return cellcheck.compare_text(a, b, tolerance)[0] in cellcheck.REPRODUCED


_SHELL_CELL = re.compile(r"\A\s*%%(?:bash|sh|script|system)\b")


def exports_notebook(code: str, notebook: str | None) -> bool:
    """Whether ``code`` only runs shell commands and one of them names the notebook's own
    file (``!jupyter nbconvert --to script analysis.ipynb``): it exports the notebook."""
    if not notebook or PurePath(notebook).name not in code:
        return False
    if _SHELL_CELL.match(code):
        return True
    lines = [ln.strip() for ln in code.splitlines()]
    commands = [ln for ln in lines if ln and not ln.startswith("#")]
    return bool(commands) and all(ln.startswith(("!", "%system", "%sx")) for ln in commands)


_LISTINGS = ("available", "get_supported_filetypes", "__version__", "version_info")


def lists_installed(code: str) -> bool:
    """Whether the value ``code`` shows is what the installed software offers: ``dir()`` of an
    imported module, a library's ``__version__``, matplotlib's ``style.available`` or
    ``get_supported_filetypes()`` (sliced or not): it reports the environment, not a result."""
    from jupyterlab_xp.promote.defuse import python_code

    try:
        tree = ast.parse(python_code(code))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return False
    modules = {
        (a.asname or a.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for a in node.names
    }
    value = tree.body[-1].value
    while isinstance(value, ast.Subscript):
        value = value.value
    if isinstance(value, ast.Call):
        if isinstance(value.func, ast.Name) and value.func.id == "dir" and len(value.args) == 1:
            arg = value.args[0]
            return isinstance(arg, ast.Name) and (arg.id in modules or arg.id in _MODULE_NAMES)
        value = value.func
    if not isinstance(value, ast.Attribute) or value.attr not in _LISTINGS:
        return False
    owner = value.value
    return value.attr != "available" or (isinstance(owner, ast.Attribute) and owner.attr == "style")


_MODULE_NAMES = frozenset(sys.stdlib_module_names)  # dir(math) with math imported elsewhere
_PARTITION = re.compile(r"\bpartition\(")
_ARRAY = re.compile(r"\A\s*array\((\[.*\])(?:,\s*dtype=[\w.]+)?\)\s*\Z", re.S)


def _array(text: str) -> list[Any] | None:
    """A printed NumPy array of numbers (one or two dimensions) as nested lists."""
    match = _ARRAY.match(text)
    if not match or len(text) > normalize.MAX_LITERAL:
        return None
    try:
        value = ast.literal_eval(re.sub(r"(?<=\d)\.(?=[\s,\]])", ".0", match.group(1)))
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, list) else None


def partitions_agree(stored: str, new: str) -> bool:
    """Two printed results of ``np.partition`` with the same values in each row (or column):
    NumPy leaves the order within each side of the k-th element unspecified, and its
    selection algorithm changed between versions."""
    a, b = _array(stored), _array(new)
    if a is None or b is None or a == b:
        return False
    if all(not isinstance(v, list) for v in [*a, *b]):
        return sorted(a) == sorted(b)
    if not all(isinstance(row, list) for row in [*a, *b]) or len(a) != len(b):
        return False
    rows = all(sorted(x) == sorted(y) for x, y in zip(a, b, strict=True))
    columns = [sorted(c) for c in zip(*a, strict=False)] == [
        sorted(c) for c in zip(*b, strict=False)
    ]
    return rows or columns


def compare_outputs(
    planned: list[PlannedCell],
    executed: dict[str, Any],
    tolerance: float,
    skipped: dict[Any, str] | None = None,
    notebook: str | None = None,
) -> dict[str, Any] | None:
    """Stored outputs of the source's cells against the executed notebook's, cell by cell.

    ``planned`` is the list the executed notebook was built from (code cells in order), so the
    n-th executed code cell is the n-th planned cell. Every cell from the source gets a class
    (:mod:`.cellcheck`); cells promote added are left out. ``skipped``: the execution counts
    of cells a shim skipped or answered (:data:`.shims.SKIPS`), with what it did: classed
    ``skipped``, not compared. ``notebook``: the notebook's file name, for the cells that
    export it (:func:`exports_notebook`: classed ``notebook-export``, not compared). None when
    the source stored no outputs at all.
    """
    code = [c for c in executed.get("cells", []) if c.get("cell_type") == "code"]
    from_source = [
        c.label != ADDED and not c.label.startswith("parameters (added") for c in planned
    ]
    codes = [c.source for c in planned]
    # A recorded run's journal starts at %xp start, which seeded every library: its first
    # journaled cell ("seq N") runs seeded even when the start itself is not among the cells.
    first_seq = next((i for i, c in enumerate(planned) if c.label.startswith("seq ")), None)
    if first_seq is not None:
        codes[first_seq] = "%xp start\n" + codes[first_seq]
    random = randomness.random_cells(codes, from_source)
    clock = randomness.clock_cells(codes, from_source)
    cells: list[dict[str, Any]] = []
    for index, cell in enumerate(planned):
        if not from_source[index]:
            continue
        ran = code[index].get("outputs", []) if index < len(code) else []
        entry = cellcheck.classify(cell.outputs, ran, tolerance, random[index], clock[index])
        count = code[index].get("execution_count") if index < len(code) else None
        if (
            entry["class"] == cellcheck.DIFFERS
            and "image_similarity" not in entry
            and "note" not in entry  # no image count or warnings that differ
            and lists_installed(cell.source)
        ):
            entry["class"] = cellcheck.ENVIRONMENT
            entry["rules"] = [*entry.get("rules", []), "installed-listing"]
            entry["note"] = "the value lists what the installed software offers"
        if entry["class"] == cellcheck.DIFFERS and _PARTITION.search(cell.source):
            before, after = cellcheck.shown(cell.outputs), cellcheck.shown(ran)
            if not (before.images or after.images) and partitions_agree(before.text, after.text):
                entry.update({"class": cellcheck.SAME, "rules": ["partition-order"]})
                entry.pop("first_difference", None)
        if skipped and count is not None and count in skipped:
            entry = {"class": cellcheck.SKIPPED, "note": skipped[count]}
        elif entry["class"] != cellcheck.NO_OUTPUT and exports_notebook(cell.source, notebook):
            entry = {
                "class": cellcheck.EXPORT,
                "note": "exports the notebook's own file: the tool's log, not compared",
                "stored": entry.get("stored"),
                "new": entry.get("new"),
            }
            entry = {k: v for k, v in entry.items() if v is not None}
        if index >= len(code):
            entry.update({"class": cellcheck.DIFFERS, "note": "never ran"})
        first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
        cells.append({"cell": cell.label, "line": first[:120], **entry})
    compared = [c for c in cells if c["class"] not in cellcheck.NOT_COMPARED]
    if not compared:
        return None
    counts = {k: sum(c["class"] == k for c in cells) for k in cellcheck.CLASSES}
    matched = [c for c in compared if c["class"] in cellcheck.REPRODUCED]
    return {
        "compared": len(compared),
        "matched": len(matched),
        "mismatched": [c["cell"] for c in compared if c["class"] not in cellcheck.REPRODUCED],
        "classes": {k: v for k, v in counts.items() if v},
        "verified": len(matched) == len(compared),
        "cells": cells,
    }


def overall(metric_verdict: str, outputs: dict[str, Any] | None) -> str:
    """Outputs that differ make the verdict "differs" whatever the metrics say; cells that
    differ only where they drew unseeded random numbers make it "random"."""
    if not outputs:
        return metric_verdict
    classes = outputs.get("classes") or {}
    if classes.get(cellcheck.DIFFERS) or metric_verdict == "differs":
        return "differs"
    if classes.get(cellcheck.RANDOM):
        return "random"
    if classes.get(cellcheck.CLOSE) or metric_verdict == "within-tolerance":
        return "within-tolerance"
    return "exact"
