"""The text form of a promotion's verification: one line per cell, stored and new side by side.

Shared by ``jupyter xp show`` (a promoted run's ``xp/verify.json``) and ``jupyter xp promote``.
"""

from __future__ import annotations

from itertools import zip_longest
from typing import Any

from jupyterlab_xp.frontends.render_env import render_used
from jupyterlab_xp.promote.cellcheck import CLASSES, ENVIRONMENT, EXPORT, RANDOM
from jupyterlab_xp.promote.normalize import ENVIRONMENT_RULES

SIDE = 48  # characters per side when stored and new are shown side by side
SIDE_LINES = 6


def _side_by_side(stored: str, new: str) -> list[str]:
    left, right = stored.splitlines()[:SIDE_LINES], new.splitlines()[:SIDE_LINES]
    rows = [f"      {'stored':<{SIDE}} | new"]
    for a, b in zip_longest(left, right, fillvalue=""):
        a = a.expandtabs(4)
        rows.append(f"      {a[:SIDE]:<{SIDE}} | {b.expandtabs(4)[:SIDE]}")
    return rows


def render_order(order: dict[str, Any] | None) -> list[str]:
    """The order used and, for ``auto``, each repair, the sessions note and what was left out."""
    if not order:
        return []
    out = [f"order       {order.get('order')}"]
    if order.get("cells"):
        out[0] += f": cells {', '.join(map(str, order['cells']))}"
    if (order.get("attempts") or 1) > 1:
        out[0] += f" (attempt {order['attempts']})"
    out += [f"  {step}" for step in order.get("steps") or []]
    if order.get("sessions"):
        out.append(f"  {order['sessions']}")
    out += [f"  left out: {cell}" for cell in order.get("left_out") or []]
    return out


def render_cells(outputs: dict[str, Any] | None) -> list[str]:
    """One line per cell with its class; stored and new side by side for cells that differ."""
    if not outputs or not outputs.get("cells"):
        return []
    classes = outputs.get("classes") or {}
    counts = ", ".join(f"{classes[k]} {k}" for k in CLASSES if classes.get(k))
    verified = "verified" if outputs.get("verified") else "not verified"
    out = [f"cells       {counts} ({verified})"]
    width = max(len(c["cell"]) for c in outputs["cells"])
    for cell in outputs["cells"]:
        extra = []
        if cell.get("rules"):
            extra.append(", ".join(cell["rules"]))
        if cell.get("image_similarity") is not None:
            extra.append(f"image similarity {cell['image_similarity']:.2f}")
        if cell.get("note"):
            extra.append(cell["note"])
        first = cell.get("first_difference")
        if first and cell["class"] in ("differs", "random"):
            extra.append(f"first difference: {first['stored'][:40]!r} -> {first['new'][:40]!r}")
        line = f"  {cell['cell']:<{width}}  {cell['class']:<16}  {cell.get('line', '')[:40]}"
        out.append(line + (f"  [{'; '.join(extra)}]" if extra else ""))
        if cell["class"] == "differs":
            out += _side_by_side(cell.get("stored") or "", cell.get("new") or "")
    return out


def render_verification(check: dict[str, Any] | None) -> list[str]:
    """The verification's verdict, the order, the Pythons and the per-cell lines."""
    if not check:
        return []
    out = [f"verdict     {check.get('verdict')} (tolerance {check.get('tolerance')})"]
    out += render_order(check.get("order"))
    python = check.get("python") or {}
    if python:
        was = python.get("recorded") or python.get("saved_with")
        label = "recorded with" if python.get("recorded") else "saved with"
        out.append(f"python      {label} {was or 'unknown'}, today {python.get('today')}")
    out += render_used(check.get("environment"), None)  # where the verdict holds
    out += render_shims(check.get("shims"))
    out += render_excused(check.get("outputs"))
    out += render_cells(check.get("outputs"))
    return out


ENVIRONMENT_NAMES = {r.name for r in ENVIRONMENT_RULES} | {"clock", "installed-listing"}
EXCUSED = {
    ENVIRONMENT: "only what reports the environment differs",
    RANDOM: "unseeded random draws, or values made from them",
    EXPORT: "exports the notebook's own file, not compared",
}


def render_excused(outputs: dict[str, Any] | None) -> list[str]:
    """The cells that differ and why that is not held against the verdict, like the shims:
    one line per class, with the rules that said so."""
    cells = (outputs or {}).get("cells") or []
    out = []
    for klass, why in EXCUSED.items():
        these = [c for c in cells if c.get("class") == klass]
        if not these:
            continue
        rules = sorted({r for c in these for r in c.get("rules") or []} & ENVIRONMENT_NAMES)
        named = f" ({', '.join(rules)})" if rules else ""
        out.append(f"excused     {klass} in {len(these)} cell(s): {why}{named}")
    return out


def render_shims(used: list[dict[str, Any]] | None) -> list[str]:
    """The compatibility shims a run used: one line per shim, the cells and what it did."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for use in used or []:
        by_name.setdefault(str(use.get("name")), []).append(use)
    out = []
    for name, uses in by_name.items():
        cells = ", ".join(f"In [{u['cell']}]" for u in uses if u.get("cell") is not None)
        where = f" (executed notebook {cells})" if cells else ""  # the promoted run's counts
        out.append(f"shim        {name}{where}: {uses[0]['detail']}")
    return out
