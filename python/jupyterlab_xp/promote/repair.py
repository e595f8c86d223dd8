"""Order repair (``--order auto``): execution-count order, mended as a careful person would.

A notebook saved out of order often cannot run in any single order as saved: a cell uses a
function whose last definition ran later, a defining cell was deleted, or was run once and then
cleared (no execution count). Starting from the execution counts, each rule fixes the first
use of a name no earlier cell defines (:mod:`.defuse`), and says why:

- ``move``: a later cell defines the name: move it before its first use;
- ``include``: only a cell without an execution count defines it: include it there;
- ``drop`` (after a run failed with NameError/AttributeError/TypeError): a cell that re-defines a
  name the failing cell used, placed below the failing cell in the notebook, broke it: leave
  that re-definition out;
- ``top to bottom`` (after a run failed and no rule above applies): the notebook order, as
  papermill runs it (a ``sys.path`` set in a cell whose count came from a later session).

Cells without a count that nobody needs are left out and listed; so are dropped cells. Counts
that repeat say that the notebook was saved from several kernel sessions.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from jupyterlab_xp.promote.defuse import Names, cell_names

MAX_STEPS = 50  # moves and inclusions in one plan; a notebook needing more is left as is
MAX_RUNS = 4  # papermill runs of one promotion: the first and three repairs
_NAME_ERROR = re.compile(r"name '(\w+)' is not defined")


@dataclass
class Cell:
    """A code cell of the notebook: its place (1-based among code cells) and count."""

    number: int
    count: int | None
    source: str
    names: Names

    @property
    def label(self) -> str:
        return f"cell {self.number}" + (f" (In [{self.count}])" if self.count is not None else "")


@dataclass
class Repair:
    """An order of cell numbers, the steps that made it, and what it left out."""

    order: list[int]
    steps: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    sessions: str | None = None
    dropped: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "order": "auto",
            "cells": list(self.order),
            "steps": list(self.steps),
            "left_out": list(self.left_out),
            "sessions": self.sessions,
        }


def notebook_cells(code_cells: list[dict[str, Any]], sources: list[str]) -> list[Cell]:
    """The notebook's code cells with their counts and names (``sources``: their text)."""
    out = []
    for number, (cell, text) in enumerate(zip(code_cells, sources, strict=True), start=1):
        count = cell.get("execution_count")
        out.append(Cell(number, count if isinstance(count, int) else None, text, cell_names(text)))
    return out


def sessions_note(cells: list[Cell]) -> str | None:
    """Say so when the counts show more than one kernel session (a count used twice)."""
    repeated = sorted(n for n, k in Counter(c.count for c in cells if c.count).items() if k > 1)
    if not repeated:
        return None
    shown = ", ".join(f"In [{n}]" for n in repeated[:5]) + (", ..." if len(repeated) > 5 else "")
    return (
        f"saved from several kernel sessions: {shown} appear(s) more than once, so the "
        "execution counts alone cannot give one order"
    )


def plan(cells: list[Cell], first: int | None = None) -> Repair:
    """The execution-count order with every static def-use repair applied.

    ``first``: a cell that must run first whatever its count (the ``parameters`` cell).
    """
    counted = sorted((c for c in cells if c.count is not None), key=lambda c: (c.count, c.number))
    order = [c.number for c in counted]
    if first is not None:
        order = [first] + [n for n in order if n != first]
    repair = Repair(order, sessions=sessions_note(cells))
    _mend(cells, repair)
    _list_left_out(cells, repair)
    return repair


def _mend(cells: list[Cell], repair: Repair) -> None:
    by_number = {c.number: c for c in cells}
    moved: Counter[int] = Counter()
    unfixable: set[tuple[int, str]] = set()  # (cell, name): no rule applies, look further on
    for _ in range(MAX_STEPS):
        gap = _first_gap(by_number, repair.order, unfixable)
        if gap is None:
            return
        index, name = gap
        user = by_number[repair.order[index]]
        later = [n for n in repair.order[index + 1 :] if name in by_number[n].names.defines]
        absent = [
            c.number
            for c in cells
            if c.number not in repair.order
            and c.number not in repair.dropped
            and name in c.names.defines
        ]
        if later and moved[later[0]] < 3:
            definer = by_number[later[0]]
            repair.order.remove(definer.number)
            repair.order.insert(index, definer.number)
            moved[definer.number] += 1
            repair.steps.append(
                f"moved {definer.label} before {user.label}: it defines `{name}`, "
                f"which {user.label} uses"
            )
        elif absent:
            definer = by_number[absent[-1]]  # the lowest one on the page: the latest edit
            repair.order.insert(index, definer.number)
            repair.steps.append(
                f"included {definer.label}, which has no execution count: it defines `{name}`, "
                f"which {user.label} uses"
            )
        else:
            unfixable.add((user.number, name))  # a dropped or moved-too-often definer


def _first_gap(
    by_number: dict[int, Cell], order: list[int], unfixable: set[tuple[int, str]]
) -> tuple[int, str] | None:
    """The first cell in ``order`` needing a name no earlier cell defines but another cell
    does (a name nobody defines, from a star import, ``exec`` or a deleted cell, is let run)."""
    defined: set[str] = set()
    star = False
    for index, number in enumerate(order):
        names = by_number[number].names
        missing = sorted(names.needs - defined)
        if missing and not star:
            for name in missing:
                definers = (c for c in by_number.values() if c.number != number)
                fixable = (number, name) not in unfixable
                if fixable and any(name in c.names.defines for c in definers):
                    return index, name
        defined |= names.defines
        star = star or names.star
    return None


def _list_left_out(cells: list[Cell], repair: Repair) -> None:
    repair.left_out = [
        f"{c.label}: "
        + ("dropped, see above" if c.number in repair.dropped else "no execution count")
        for c in cells
        if c.number not in repair.order and c.source.strip()
    ]


def after_failure(
    cells: list[Cell], repair: Repair, failed: int, ename: str, evalue: str
) -> Repair | None:
    """A new order after cell ``failed`` raised ``ename``; None when no rule applies."""
    by_number = {c.number: c for c in cells}
    if failed not in repair.order:
        return None
    index = repair.order.index(failed)
    user = by_number[failed]
    new = Repair(list(repair.order), list(repair.steps), [], repair.sessions, list(repair.dropped))
    missing = _NAME_ERROR.search(evalue) if ename == "NameError" else None
    if missing:
        name = missing.group(1)
        definers = [
            c.number
            for c in cells
            if name in c.names.defines and c.number != failed and c.number not in new.dropped
        ]
        later = [n for n in definers if n in new.order[index + 1 :]]
        absent = [n for n in definers if n not in new.order]
        pick = later[0] if later else (absent[-1] if absent else None)
        if pick is not None:
            if pick in new.order:
                new.order.remove(pick)
            new.order.insert(index, pick)
            new.steps.append(
                f"{user.label} raised NameError on `{name}`: moved {by_number[pick].label}, "
                "which defines it, before it"
            )
            _list_left_out(cells, new)
            return new
    if ename in ("NameError", "AttributeError", "TypeError"):
        # A re-definition between the first definition and the use, placed below the use on the
        # page (run later by the author, in another session), broke the earlier use.
        for number in reversed(new.order[:index]):
            cell = by_number[number]
            shared = cell.names.defines & user.names.needs
            first_definer = next(
                (n for n in new.order[:index] if shared & by_number[n].names.defines), None
            )
            if shared and number != first_definer and cell.number > user.number:
                new.order.remove(number)
                new.dropped.append(number)
                new.steps.append(
                    f"{user.label} raised {ename}: left out {cell.label}, a later re-definition "
                    f"of `{sorted(shared)[0]}` (below it on the page) that broke this earlier use"
                )
                _mend(cells, new)
                _list_left_out(cells, new)
                return new
    return top_to_bottom(cells, new, failed, f"{user.label} raised {ename}")


def top_to_bottom(cells: list[Cell], repair: Repair, failed: int, why: str) -> Repair | None:
    """The notebook order, every cell top to bottom, as the next order to try when no rule
    mends the failure (papermill's order: the counts of several sessions can be worse than
    the page); None when it would run the same cells up to the failing one again."""
    order = [c.number for c in cells if c.source.strip()]
    upto = repair.order[: repair.order.index(failed) + 1]
    if order[: len(upto)] == upto:
        return None
    steps = [*repair.steps, f"{why} and no rule mends it: top to bottom instead (notebook order)"]
    return Repair(order, steps, [], repair.sessions)
