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
from jupyterlab_xp.promote.build import PlannedCell
from jupyterlab_xp.promote.notebook_run import ADDED

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


_SHELL_LINE = re.compile(r"\A(?:!!?|%(?:sx|system)\s+|%(?=(?:ls|ll)\b))\s*(.*)\Z")
_FILE_LISTINGS = frozenset({"ls", "ll", "dir", "find", "tree", "du", "df"})
_FILTERS = frozenset({"head", "tail", "sort", "grep", "wc", "cat", "less", "more"})


def lists_files(code: str) -> bool:
    """Whether ``code`` only runs shell commands that list the file system (``!ls *.ipynb``,
    ``%ls data``, ``!du -sh data``, ``!find . -name '*.csv' | head``): what it shows is which
    files the machine that ran it holds (a promotion copies the notebook and the files it
    reads, not the repository around it), not a result the notebook computed."""
    lines = [ln.strip() for ln in code.splitlines()]
    body = [ln for ln in lines if ln and not ln.startswith("#")]
    if _SHELL_CELL.match(code):
        commands = body[1:]
    else:
        matches = [_SHELL_LINE.match(ln) for ln in body]
        if not body or not all(matches):
            return False
        commands = [m.group(1) for m in matches if m]
    parts = [p.strip() for c in commands for p in re.split(r"&&|\|\||;", c) if p.strip()]
    if not parts:
        return False
    for part in parts:
        words = [seg.split()[0] if seg.split() else "" for seg in part.split("|")]
        if words[0] not in _FILE_LISTINGS or not all(w in _FILTERS for w in words[1:]):
            return False
        if re.search(r"\s-(?:exec|execdir|delete|ok)\b", part):  # find that acts on files
            return False
    return True


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


def _parsed(code: str) -> ast.Module | None:
    from jupyterlab_xp.promote.defuse import python_code

    try:
        return ast.parse(python_code(code))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _shown(tree: ast.Module) -> list[ast.expr]:
    """What a cell shows: each ``print(...)``'s arguments and its last bare expression."""
    shown: list[ast.expr] = []
    for index, node in enumerate(tree.body):
        if not isinstance(node, ast.Expr):
            continue
        value = node.value
        func = value.func if isinstance(value, ast.Call) else None
        if isinstance(value, ast.Call) and isinstance(func, ast.Name) and func.id == "print":
            shown += value.args
            continue
        if index == len(tree.body) - 1:
            shown.append(value)
    return shown


def _reads_description(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr == "DESCR":
            return True
        key = sub.slice if isinstance(sub, ast.Subscript) else None
        if isinstance(key, ast.Constant) and key.value == "DESCR":
            return True
    return False


def shows_description(code: str) -> bool:
    """Whether everything ``code`` shows is made from a dataset's ``DESCR`` (scikit-learn's and
    other loaders' description of a bundled dataset, ``print(iris['DESCR'][:193])``): the
    installed library's documentation of its data, which its versions reword."""
    tree = _parsed(code)
    shown = _shown(tree) if tree is not None else []
    return bool(shown) and all(_reads_description(node) for node in shown)


_DICT_KEYS = re.compile(r"dict_keys\((\[[^\]\n]*\])\)")


def keys_added(stored: str, new: str) -> bool:
    """Whether ``new`` is ``stored`` with keys appended to the ``dict_keys([...])`` it prints,
    and nothing else changed: a library's object that a newer version gives more fields."""
    old_lists, new_lists = _DICT_KEYS.findall(stored), _DICT_KEYS.findall(new)
    if not old_lists or len(old_lists) != len(new_lists) or old_lists == new_lists:
        return False
    try:
        pairs = [
            (ast.literal_eval(a), ast.literal_eval(b))
            for a, b in zip(old_lists, new_lists, strict=True)
        ]
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    if not all(len(b) >= len(a) and b[: len(a)] == a for a, b in pairs):
        return False
    replaced = iter(old_lists)
    return _DICT_KEYS.sub(lambda _: f"dict_keys({next(replaced)})", new) == stored


def library_object(code: str, codes: list[str]) -> bool:
    """Whether each name whose ``.keys()`` ``code`` shows was last assigned (in ``codes``, the
    cells up to it) the result of a function imported from a package (``iris =
    load_iris()`` after ``from sklearn.datasets import load_iris``): the library decides its
    fields."""
    tree = _parsed(code)
    shown = _shown(tree) if tree is not None else []
    names = {
        node.func.value.id
        for expr in shown
        for node in ast.walk(expr)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "keys"
        and isinstance(node.func.value, ast.Name)
    }
    if not names:
        return False
    imported: set[str] = set()
    made_by: dict[str, str] = {}
    for source in codes:
        parsed = _parsed(source)
        for node in ast.walk(parsed) if parsed is not None else []:
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported |= {a.asname or a.name for a in node.names}
            elif isinstance(node, ast.Import):
                imported |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
                if isinstance(target, ast.Name):
                    func = value.func if isinstance(value, ast.Call) else None
                    while isinstance(func, ast.Attribute):
                        func = func.value
                    made_by[target.id] = func.id if isinstance(func, ast.Name) else ""
    return all(made_by.get(name) in imported for name in names)


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


# Cells whose whole output reports the environment, read from their code (see each function).
_LISTING_RULES = (
    ("installed-listing", lists_installed, "the value lists what the installed software offers"),
    (
        "file-listing-command",
        lists_files,
        "a shell command lists the files of the machine that ran it",
    ),
    (
        "dataset-description",
        shows_description,
        "the value is the installed library's description of a bundled dataset",
    ),
)


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
        ):
            for rule, applies, note in _LISTING_RULES:
                if applies(cell.source):
                    entry["class"] = cellcheck.ENVIRONMENT
                    entry["rules"] = [*entry.get("rules", []), rule]
                    entry["note"] = note
                    break
        if (
            entry["class"] == cellcheck.DIFFERS
            and "image_similarity" not in entry
            and "note" not in entry
            and keys_added(cellcheck.shown(cell.outputs).text, cellcheck.shown(ran).text)
            and library_object(cell.source, codes[: index + 1])
        ):
            entry["class"] = cellcheck.ENVIRONMENT
            entry["rules"] = [*entry.get("rules", []), "library-keys-added"]
            entry["note"] = "the library's object has fields its installed version added"
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
