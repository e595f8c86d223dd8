"""ipywidgets views of the run list and of a comparison (``%xp runs``, ``%xp compare``).

For frontends without the JupyterLab panel (Notebook 7, VS Code). Every value is shown through
``Label`` widgets, which render text, so a captured string can never become HTML.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import ipywidgets as w

from jupyterlab_xp.frontends.render import (
    CORRECTION_NAMES,
    INTERVALS,
    effect_text,
    family_size,
    left_out_lines,
    p_text,
    sig,
)
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.store.query import RunQuery
from jupyterlab_xp.views.compare import compare_runs
from jupyterlab_xp.views.runview import list_runs

_SECTIONS = ("params", "metrics", "packages", "hardware", "git", "environment")


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _grid(rows: list[list[str]]) -> w.GridBox:
    """A table of text labels; the first row is the header."""
    columns = max(len(r) for r in rows)
    cells = []
    for i, row in enumerate(rows):
        for value in row + [""] * (columns - len(row)):
            label = w.Label(value=value)
            if i == 0:
                label.style.font_weight = "bold"
            cells.append(label)
    return w.GridBox(
        cells,
        layout=w.Layout(
            grid_template_columns=f"repeat({columns}, max-content)", grid_gap="2px 16px"
        ),
    )


def runs_view(store: MlflowStore, limit: int = 50) -> w.VBox:
    """The newest runs as a table: id, name, experiment, status, start, cells, seed, metrics."""
    runs, _ = list_runs(store, RunQuery(limit=limit))
    if not runs:
        return w.VBox([w.Label(value="No runs yet: run %xp start in a notebook.")])
    rows = [["run", "name", "experiment", "status", "started", "cells", "seed", "metrics"]]
    for r in runs:
        metrics = ", ".join(
            f"{k}={_fmt(v)}" for k, v in sorted(r["metrics"].items()) if not k.startswith("system/")
        )
        started = time.strftime("%Y-%m-%d %H:%M", time.localtime((r["start_time"] or 0) / 1000))
        rows.append(
            [
                r["run_id"][:12],
                r["name"] or "-",
                r["experiment"],
                r["status"],
                started,
                str(r["cells"]),
                r["seed"] or "-",
                metrics[:80],
            ]
        )
    title = w.Label(value=f"{len(runs)} most recent runs in {store.location.display}")
    return w.VBox([title, _grid(rows)])


def _section_rows(body: dict[str, Any], section: str, show_all: bool) -> list[list[str]]:
    if section == "packages":
        return [
            [p["name"], *map(_fmt, p["versions"])]
            for p in body["packages"]
            if show_all or p["change"] != "same"
        ]
    return [[r["key"], *map(_fmt, r["values"])] for r in body[section] if show_all or r["differs"]]


def _seed_widgets(body: dict[str, Any]) -> w.VBox:
    """Seed groups (mean ± std, interval and method, warnings) and the corrected tests."""
    groups = [["group", "runs", "metric", "mean ± std", "95% interval", "note"]]
    for g in body["seed_groups"]:
        for m in g["metrics"]:
            interval = (
                f"[{sig(m['ci_low'])}, {sig(m['ci_high'])}] {INTERVALS[m['interval']]}"
                if m["ci_low"] is not None
                else "-"
            )
            note = [g["warning"] or ""] if m is g["metrics"][0] else []
            if not m["tested"]:
                note.append("not tested")
            groups.append(
                [
                    g["label"],
                    str(len(g["run_ids"])),
                    m["key"],
                    f"{sig(m['mean'])} ± {sig(m['std'])} (n={m['n']})",
                    interval,
                    "; ".join(n for n in note if n),
                ]
            )
    method = CORRECTION_NAMES[body["correction"]]
    tests = [
        ["metric", "groups", "difference", "g [95%]", "Welch p", "permutation p", "p (adj)", ""]
    ]
    for t in body["group_tests"]:
        difference = t["mean_difference"]
        tests.append(
            [
                t["key"],
                f"{t['group_b']} vs {t['group_a']}",
                "-" if difference is None else f"{difference:+.4g}",
                effect_text(t["hedges_g"], t["effect_ci_low"], t["effect_ci_high"]),
                p_text(t["welch_p"]),
                p_text(t["permutation_p"]),
                f"{p_text(t['p_value'])} ({p_text(t['p_adjusted'])})",
                f"{t['decision']}: {t['reason']}" + (f"; {t['warning']}" if t["warning"] else ""),
            ]
        )
    caption = (
        f"the larger of the permutation and Welch p decides, adjusted by {method} over "
        f"{family_size(body)} tests (paired tests included); distinguishable: below "
        f"{body['alpha']:g}; system/* metrics are never tested"
    )
    parts: list[w.Widget] = [_grid(groups)]
    if body["group_tests"]:
        parts += [w.Label(value=caption), _grid(tests)]
    parts += [w.Label(value=line.strip()) for line in left_out_lines(body)]
    return w.VBox(parts + _paired_widgets(body))


def _paired_widgets(body: dict[str, Any]) -> list[w.Widget]:
    """The paired tests (predictions on the same ids) and why some pairs were not tested."""
    rows = [["metric", "sides", "b - a [95%]", "effect [95%]", "test", "p (adj)", ""]]
    for p in body.get("paired_tests", []):
        rows.append(
            [
                p["key"],
                f"{p['group_b']} vs {p['group_a']}",
                f"{sig(p['difference'])} [{sig(p['ci_low'])}, {sig(p['ci_high'])}]",
                effect_text(p["effect_size"], p["effect_ci_low"], p["effect_ci_high"]),
                p["test"],
                f"{p_text(p['p_value'])} ({p_text(p.get('p_adjusted'))})",
                f"{p['decision']}: {p['reason']}" + (f"; {p['warning']}" if p["warning"] else ""),
            ]
        )
    notes = [w.Label(value=note) for note in body.get("paired_notes", [])]
    if len(rows) == 1:
        return notes
    caption = "paired, on the same examples: p adjusted with the tests above as one family"
    return [w.Label(value=caption), _grid(rows), *notes]


def compare_view(store: MlflowStore, run_ids: Sequence[str], correction: str = "holm") -> w.VBox:
    """Tabs per section (differences only, with a toggle), code diffs and seed statistics."""
    body = compare_runs(store, run_ids, correction)
    header = ["", *[f"{r['run_id'][:8]} {r['name'] or ''}" for r in body["runs"]]]
    show_all = w.Checkbox(value=False, description="Show rows that do not differ")
    tabs = w.Tab()

    def render(_: Any = None) -> None:
        children = []
        for section in _SECTIONS:
            rows = _section_rows(body, section, show_all.value)
            children.append(_grid([header, *rows]) if rows else w.Label(value="No differences."))
        code = w.Textarea(
            value="\n\n".join(d["diff"] or f"{d['run_id'][:8]}: same code" for d in body["cells"]),
            disabled=True,
            layout=w.Layout(width="100%", height="300px"),
        )
        seeds = _seed_widgets(body)
        children += [code, seeds]
        tabs.children = children
        for i, title in enumerate([*_SECTIONS, "code", "seeds"]):
            tabs.set_title(i, title)

    show_all.observe(render, names="value")
    render()
    return w.VBox([show_all, tabs])
