"""The notebook views (%xp runs, %xp compare): text labels only, differences by default."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

import jupyterlab_xp as xp
from jupyterlab_xp.frontends.widgets import compare_view, runs_view

XSS = "<img src=x onerror=alert(1)>"


def _labels(widget: Any) -> list[str]:
    if isinstance(widget, w.Label):
        return [widget.value]
    children = getattr(widget, "children", ())
    return [text for child in children for text in _labels(child)]


def _two_runs() -> list[str]:
    ids = []
    for lr in (0.1, 0.2):
        with xp.start(f"lr {lr} {XSS}", experiment="widgets", seed=3) as run:
            xp.param(lr=lr)
            xp.log({"val/accuracy": lr * 4})
        ids.append(run.run_id)
    return ids


# README: "Everything captured is shown as text, never as HTML"
def test_runs_view_lists_runs_as_text(store: Any) -> None:
    # Given two runs, one name carrying HTML
    _two_runs()
    # When the runs view is built
    labels = _labels(runs_view(store))
    # Then both names appear verbatim as label text (Labels never render HTML)
    assert f"lr 0.1 {XSS}" in labels and f"lr 0.2 {XSS}" in labels
    assert "val/accuracy=0.8" in labels


def test_compare_view_shows_differences_then_everything(store: Any) -> None:
    # Given two runs that differ only in lr
    ids = _two_runs()
    # When the compare view is built
    view = compare_view(store, ids)
    toggle, tabs = view.children
    params_tab = tabs.children[0]
    shown = _labels(params_tab)
    # Then only differing params are listed, until "show all" is ticked
    assert "lr" in shown and "0.1" in shown and "0.2" in shown
    assert "seed" not in shown
    toggle.value = True
    assert "seed" in _labels(tabs.children[0])
    assert tabs.get_title(0) == "params"
