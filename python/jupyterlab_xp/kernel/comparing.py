"""``xp.compare``: the comparison of recorded runs as text in a notebook or a script.

The same body as ``jupyter xp compare --json`` (``.body``), shown as the same text as
``jupyter xp compare``; ``%xp compare`` is the interactive widget of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.kernel.recorder import get_recorder


class Comparison:
    """A comparison of runs: ``.body`` is the dict, ``str()`` (and the notebook) the text."""

    def __init__(self, body: dict[str, Any], show_all: bool = False) -> None:
        self.body = body
        self.show_all = show_all

    def __str__(self) -> str:
        from jupyterlab_xp.frontends.render import render_compare

        return render_compare(self.body, show_all=self.show_all)

    def statistics(self) -> str:
        """Only the statistics: seed groups, the tests between them and the paired tests."""
        from jupyterlab_xp.frontends.render import render_paired, render_seed_stats

        lines = render_seed_stats(self.body) + render_paired(self.body)
        return "\n".join(lines).strip("\n")

    def decisions(self) -> list[dict[str, Any]]:
        """One row per metric and pair of sides: ``distinguishable``, ``not distinguishable``
        (at this power) or ``no decision``, with the reason (group and paired tests, and the
        metrics left out)."""
        from jupyterlab_xp.views.stats import decisions

        return decisions(self.body)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def __repr__(self) -> str:
        return f"<xp comparison of {len(self.body['runs'])} runs>"


def compare(
    runs: Iterable[Any],
    *,
    correction: str = "holm",
    show_all: bool = False,
    hold_seed: str | None = None,
) -> Comparison:
    """Compare 2 to 20 recorded runs: differences, seed statistics and paired tests.

    Args:
        runs: run ids (or unique prefixes), or the handles ``xp.start``/``xp.stop`` returned.
        correction: ``holm`` (default) or ``bh``: how p-values are adjusted together.
        show_all: also show rows that do not differ.
        hold_seed: group by that seed component too (``"data"``: ``seed.data``), as
            ``jupyter xp compare --hold-seed`` does.

    Returns:
        A :class:`Comparison`: its text is what ``jupyter xp compare`` prints, ``.body`` what
        ``jupyter xp compare --json`` prints.
    """
    from jupyterlab_xp.views.compare import compare_runs
    from jupyterlab_xp.views.lookup import find_run

    recorder = get_recorder()
    ids = []
    for run in runs:
        ident = run if isinstance(run, str) else getattr(run, "run_id", None)
        if not isinstance(ident, str):
            raise XpError(f"not a run id or run handle: {run!r}"[:120])
        ids.append(find_run(recorder.store, ident).info.run_id)
    return Comparison(compare_runs(recorder.store, ids, correction, hold_seed), show_all)
