"""One cell's stored outputs against its new ones: which class of reproduction, and why.

Classes, best first: ``identical`` (the same text, images and error); ``same-values`` (only
presentation drift, the rules of :mod:`.normalize`, or plots that look alike); ``within-tolerance``
(numbers close under ``math.isclose``, relative and absolute); ``environment`` (what differs
only reports the environment that ran the cell: the Python and library versions it prints, the
installed library's ``help()`` text, the clock it reads — :data:`.normalize.ENVIRONMENT_RULES`
and :func:`.randomness.clock_cells`); ``random`` (the outputs differ and the cell draws random
numbers nothing seeded, or reads what such a draw made); ``differs`` (with the first differing
value); ``no-stored-output``; ``skipped`` (a shim skipped or answered an interactive or
informational cell: not compared, the note says what it did); ``notebook-export`` (a shell
command that converts or exports the notebook's own file: its output is the tool's log, not a
result, and is not compared). The text compared is what the notebook shows:
each stream's chunks joined as they arrived (one ``print`` may come in one chunk or three),
results' ``text/plain`` (a DataFrame's HTML table when the plain text disagrees), and an error's
name and value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from jupyterlab_xp.promote import imagehash
from jupyterlab_xp.promote.normalize import (
    ENVIRONMENT_RULES,
    RULES,
    Rule,
    html_table_text,
    numbers,
    skeleton,
)

IDENTICAL, SAME, CLOSE = "identical", "same-values", "within-tolerance"
ENVIRONMENT, RANDOM, DIFFERS = "environment", "random", "differs"
NO_OUTPUT, SKIPPED, EXPORT = "no-stored-output", "skipped", "notebook-export"
CLASSES = (IDENTICAL, SAME, CLOSE, ENVIRONMENT, RANDOM, DIFFERS, NO_OUTPUT, SKIPPED, EXPORT)
REPRODUCED = (IDENTICAL, SAME, CLOSE, ENVIRONMENT)
NOT_COMPARED = (NO_OUTPUT, SKIPPED, EXPORT)
TEXT_CAP = 2000  # characters of stored and new text kept per cell in the verdict
ABS_TOLERANCE = 1e-12


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


@dataclass
class Shown:
    """What a cell's outputs show, in the parts that are compared."""

    text: str = ""  # stdout, results' text/plain, the error: the values
    stderr: str = ""  # warnings and logs: presentation, compared on their own
    tables: list[str | None] = field(default_factory=list)  # each result's HTML table as text
    images: list[Any] = field(default_factory=list)  # image/png values
    error: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.text.strip() or self.stderr.strip() or self.images)


def shown(outputs: list[dict[str, Any]]) -> Shown:
    """The parts of ``outputs`` as the notebook shows them."""
    stdout: list[str] = []
    stderr: list[str] = []
    results: list[str] = []
    out = Shown()
    for item in outputs:
        kind = item.get("output_type")
        if kind == "stream":
            (stderr if item.get("name") == "stderr" else stdout).append(_text(item.get("text")))
        elif kind in ("execute_result", "display_data"):
            data = item.get("data") or {}
            if "text/plain" in data:
                results.append(_text(data["text/plain"]))
            html = data.get("text/html")
            out.tables.append(html_table_text(_text(html)) if html is not None else None)
            if "image/png" in data:
                out.images.append(data["image/png"])
        elif kind == "error":
            out.error = f"{item.get('ename')}: {item.get('evalue')}"
    parts = ["".join(stdout)] if stdout else []
    parts += results + ([out.error] if out.error else [])
    out.text = "\n".join(p.rstrip("\n") for p in parts)
    out.stderr = "".join(stderr)
    return out


def normalise_pair(a: str, b: str, rules: tuple[Rule, ...] = RULES) -> tuple[str, str, list[str]]:
    """Both texts through every rule, and the rules that brought them closer (the drift)."""
    fired: list[str] = []
    for rule in rules:
        new_a, new_b = rule.apply(a), rule.apply(b)
        if (new_a != a or new_b != b) and a != b and rule.name != "whitespace":
            fired.append(rule.name)
        elif rule.name == "whitespace" and a != b and new_a == new_b:
            fired.append(rule.name)  # only padding differed
        a, b = new_a, new_b
    return a, b, fired


def _close(x: float, y: float, tolerance: float) -> bool:
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return math.isclose(x, y, rel_tol=tolerance, abs_tol=ABS_TOLERANCE)


def compare_text(a: str, b: str, tolerance: float) -> tuple[str, list[str], dict[str, str] | None]:
    """The class of two texts, the drift rules that applied, and the first difference."""
    if a == b:
        return IDENTICAL, [], None
    na, nb, fired = normalise_pair(a, b)
    klass, more, first = _compare_normalised(na, nb, tolerance)
    if klass != DIFFERS:
        return klass, [*fired, *more], first
    # Only then what reports the environment (a printed version, help() text): said so apart.
    ea, eb, environment = normalise_pair(a, b, ENVIRONMENT_RULES)  # before padding goes
    if environment:
        ea, eb, again = normalise_pair(ea, eb)
        if _compare_normalised(ea, eb, tolerance)[0] != DIFFERS:
            drift = [r for r in again if r not in environment]
            return ENVIRONMENT, [*drift, *environment], first  # what differed, all the same
    return klass, fired, first


def _compare_normalised(
    na: str, nb: str, tolerance: float
) -> tuple[str, list[str], dict[str, str] | None]:
    """Two normalised texts: equal, the same numbers in another format, close, or not."""
    if na == nb:
        return SAME, [], None
    if skeleton(na) == skeleton(nb):
        pairs = list(zip(numbers(na), numbers(nb), strict=True))
        if all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in pairs):
            return SAME, ["number-format"], None
        far = next(((x, y) for x, y in pairs if not _close(x, y, tolerance)), None)
        if far is None:
            return CLOSE, [], None
        return DIFFERS, [], {"stored": repr(far[0]), "new": repr(far[1])}
    return DIFFERS, [], first_difference(na, nb)


def first_difference(a: str, b: str) -> dict[str, str]:
    """The first line that differs (or the first differing number in it), both sides."""
    lines_a, lines_b = a.splitlines(), b.splitlines()
    for index in range(max(len(lines_a), len(lines_b))):
        left = lines_a[index] if index < len(lines_a) else ""
        right = lines_b[index] if index < len(lines_b) else ""
        if left != right:
            if skeleton(left) == skeleton(right):
                for x, y in zip(numbers(left), numbers(right), strict=True):
                    if x != y:
                        return {"stored": repr(x), "new": repr(y)}
            return {"stored": left[:200], "new": right[:200]}
    return {"stored": a[:200], "new": b[:200]}


def _worse(a: str, b: str) -> str:
    order = (IDENTICAL, SAME, CLOSE, ENVIRONMENT, DIFFERS)
    return a if order.index(a) >= order.index(b) else b


def classify(  # noqa: C901, PLR0912  # one rule per cell class, in the order they apply
    stored: list[dict[str, Any]],
    new: list[dict[str, Any]],
    tolerance: float,
    random: bool,
    clock: bool = False,
) -> dict[str, Any]:
    """The verdict on one cell (see the module's docstring for the classes). ``random``: the
    cell draws unseeded random numbers or reads what they made; ``clock``: it reads the clock."""
    before, after = shown(stored), shown(new)
    if before.empty:
        return {"class": NO_OUTPUT}
    klass, rules, first = compare_text(before.text, after.text, tolerance)
    if klass == DIFFERS:  # a DataFrame whose plain text wraps differently: read its table
        for table_a, table_b in zip(before.tables, after.tables, strict=False):
            if table_a is not None and table_b is not None:
                klass, rules, first = compare_text(table_a, table_b, tolerance)
                if klass != DIFFERS:  # the plain text differed, the table's values did not
                    klass, rules = _worse(klass, SAME), [*rules, "html-table"]
                break
    notes: list[str] = []
    if before.stderr != after.stderr:
        err_class, err_rules, _ = compare_text(before.stderr, after.stderr, tolerance)
        rules += [r for r in err_rules if r not in rules]
        if err_class != IDENTICAL:
            # Warnings and logs are not results: they move the class to same-values at most.
            klass = _worse(klass, SAME)
            if err_class == DIFFERS:
                notes.append("stderr (warnings) differs")
    similarity = None
    if before.images or after.images:
        if len(before.images) != len(after.images):
            klass = DIFFERS
            notes.append(f"{len(before.images)} image(s) stored, {len(after.images)} now")
            first = first or {
                "stored": f"{len(before.images)} images",
                "new": f"{len(after.images)}",
            }
        else:
            scores = [
                imagehash.png_similarity(x, y)
                for x, y in zip(before.images, after.images, strict=True)
            ]
            similarity = min((s for s in scores if s is not None), default=None)
            redrawn = any(
                imagehash.png_bytes(x) != imagehash.png_bytes(y)
                for x, y in zip(before.images, after.images, strict=True)
            )  # other pixels whose hashes agree: alike, not identical
            if similarity is not None and (similarity < 1.0 or redrawn):
                alike = similarity >= imagehash.SIMILAR
                klass = _worse(klass, SAME if alike else DIFFERS)
                rules += ["image-hash"] if alike else []
                if not alike:
                    notes.append(f"image similarity {similarity:.2f}")
                    first = first or {"stored": "image", "new": f"similarity {similarity:.2f}"}
    if klass == DIFFERS and random:
        klass = RANDOM
    elif klass == DIFFERS and clock:
        klass, rules = ENVIRONMENT, [*rules, "clock"]
        notes.append("the cell reads the clock, or a value made from it")
    entry: dict[str, Any] = {"class": klass, "rules": rules}
    if similarity is not None:
        entry["image_similarity"] = round(similarity, 3)
    if notes:
        entry["note"] = "; ".join(notes)
    if klass != IDENTICAL:
        entry["first_difference"] = first
        entry["stored"] = _capped(before.text + ("\n" + before.stderr if before.stderr else ""))
        entry["new"] = _capped(after.text + ("\n" + after.stderr if after.stderr else ""))
    return entry


def _capped(text: str) -> str:
    return text if len(text) <= TEXT_CAP else text[:TEXT_CAP] + f"... ({len(text)} characters)"
