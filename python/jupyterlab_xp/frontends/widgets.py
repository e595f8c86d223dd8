"""ipywidgets views of the run list and of a comparison (``%xp runs``, ``%xp compare``).

For frontends without the JupyterLab panel (Notebook 7, VS Code). Every value is shown through
``Label`` widgets, which render text, so a captured string can never become HTML.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import ipywidgets as w

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


def compare_view(store: MlflowStore, run_ids: Sequence[str]) -> w.VBox:
    """Tabs per section (differences only, with a toggle), code diffs and seed statistics."""
    body = compare_runs(store, run_ids)
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
        stats = [["group", "runs", "metric", "mean", "std", "95% CI"]]
        for g in body["seed_groups"]:
            for m in g["metrics"]:
                stats.append(
                    [
                        g["label"],
                        str(len(g["run_ids"])),
                        m["key"],
                        _fmt(m["mean"]),
                        _fmt(m["std"]),
                        f"[{_fmt(m['ci_low'])}, {_fmt(m['ci_high'])}]",
                    ]
                )
        for t in body["group_tests"]:
            verdict = "distinguishable" if t["distinguishable"] else "within seed noise"
            stats.append(
                [
                    f"{t['group_b']} vs {t['group_a']}",
                    "",
                    t["key"],
                    _fmt(t["mean_difference"]),
                    f"d={_fmt(t['cohens_d'])}",
                    f"Welch p={_fmt(t['welch_p'])}: {verdict}",
                ]
            )
        children += [code, _grid(stats)]
        tabs.children = children
        for i, title in enumerate([*_SECTIONS, "code", "seeds"]):
            tabs.set_title(i, title)

    show_all.observe(render, names="value")
    render()
    return w.VBox([show_all, tabs])
