"""What a promotion will run and where it came from, as text to read before anything runs.

The Promote dialog and ``jupyter xp promote --dry-run`` show the cells of an order as plain text,
each with where it came from, and who recorded the run, on which host, from which notebook and
when (as the run's tags say: the store is not trusted, so neither are they). Characters that can
hide code from a reader (control characters, bidirectional and zero-width format characters) are
shown as escapes and counted. The REST plan caps what it sends and says how much it left out;
``sha256`` names exactly the code that will run (and, for ``--env recorded``, every package pin
installed for it), and a promotion sent with it is refused when either changed since it was shown.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from typing import Any

from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.promote import build, envs, trust
from jupyterlab_xp.promote.source import Source

MAX_CELL_CHARS = 20_000  # per cell, in the REST plan
MAX_ORDER_CHARS = 200_000  # per order, in the REST plan
_PLAIN = re.compile(r"[\t\n\x20-\x7e]*")
# Control, format (bidi overrides, zero-width), line/paragraph separators, surrogates, private
# use and unassigned code points.
_HIDING = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def visible(text: str, keep: str = "\n\t") -> tuple[str, int]:
    """``text`` with every character that could hide code as an escape, and how many there were.

    ``keep`` are the characters left as they are (line breaks and tabs, for code).
    """
    if _PLAIN.fullmatch(text) and all(c in keep or c not in text for c in "\n\t"):
        return text, 0
    out: list[str] = []
    hidden = 0
    for char in text:
        if char in keep or unicodedata.category(char) not in _HIDING:
            out.append(char)
            continue
        hidden += 1
        code = ord(char)
        letter, width = ("x", 2) if code < 0x100 else ("u", 4) if code < 0x10000 else ("U", 8)
        out.append(f"\\{letter}{code:0{width}x}")
    return "".join(out), hidden


def code_digest(cells: list[build.PlannedCell], pins: list[str] | None = None) -> str:
    """The sha256 of exactly the code ``cells`` run (sources and which is the parameters cell)
    and of the package ``pins`` installed for them, if any (without pins: the code's alone)."""
    code: list[Any] = [[c.source, c.parameters] for c in cells]
    body = json.dumps([*code, {"pins": list(pins)}] if pins else code, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def listing(cells: list[build.PlannedCell], cap: bool = True) -> dict[str, Any]:
    """The ``PlanCode`` body: ``cells`` as text in order (capped when ``cap``) and their digest."""
    shown: list[dict[str, Any]] = []
    budget, omitted = MAX_ORDER_CHARS, 0
    for cell in cells:
        if cap and budget <= 0:
            omitted += 1
            continue
        text, hidden = visible(cell.source)
        limit = min(len(text), MAX_CELL_CHARS, budget) if cap else len(text)
        shown.append(
            {
                "label": trust.one_line(cell.label),
                "source": text[:limit],
                "parameters": cell.parameters,
                "hidden_chars": hidden,
                "omitted_chars": len(text) - limit,
            }
        )
        budget -= limit
    return {
        "cells": shown,
        "total_cells": len(cells),
        "omitted_cells": omitted,
        "sha256": code_digest(cells),
    }


def code_by_order(source: Source) -> dict[str, dict[str, Any]]:
    """The capped listing of every order ``source`` supports."""
    out: dict[str, dict[str, Any]] = {}
    for order in build.orders_for(source):
        try:
            out[order] = listing(build.plan_cells(source, order))
        except XpError:
            continue
    return out


def recorded_environment(source: Source) -> dict[str, Any] | None:
    """The ``PlanEnvironment`` body: every pin ``--env recorded`` would install, and the digest
    of each order's code with those pins (what a promotion with ``env: recorded`` sends)."""
    try:
        planned = envs.plan(source, "recorded", None)
    except XpError:
        return None  # no recorded lock: the dialog offers no recorded environment
    sha256: dict[str, str] = {}
    for order in build.orders_for(source):
        try:
            sha256[order] = code_digest(build.plan_cells(source, order), planned["pins"])
        except XpError:
            continue
    return {"pins": planned["pins"], "lock": planned["lock"], "sha256": sha256}


def provenance(source: Source) -> dict[str, Any]:
    """The ``Provenance`` body: who recorded the run, where and when, each value one line."""
    facts = source.provenance

    def line(key: str) -> str | None:
        value = facts.get(key)
        return None if value is None else visible(str(value), keep="")[0][:500]

    recorded = facts.get("recorded")
    return {
        "run_id": source.run_id,
        "host": line("host"),
        "user": line("user"),
        "notebook": line("notebook"),
        "recorded": recorded if isinstance(recorded, int) and recorded >= 0 else None,
        "experiment": line("experiment"),
        "code_from": facts.get("code_from", "notebook"),
    }
