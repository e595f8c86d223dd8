"""The "where time went" section of ``jupyter xp show``: each long cell's verdict and the run's."""

from __future__ import annotations

from typing import Any

from jupyterlab_xp.views.verdict import cell_verdict, run_verdict


def render_time_went(detail: dict[str, Any]) -> list[str]:
    """Lines for a run detail (none when no cell could be judged: short cells, older runs)."""
    memory = ((detail.get("hardware") or {}).get("memory") or {}).get("total")
    total_mb = memory / 2**20 if isinstance(memory, int | float) and memory > 0 else None
    judged = [(c, cell_verdict(c, total_mb)) for c in detail.get("cells_journal") or []]
    overall = run_verdict(one for _, one in judged)
    if overall is None:
        return []
    out = [
        "\nwhere time went",
        f"  run: {overall['verdict']} ({100 * overall['share']:.0f} % of the time of the "
        "cells judged)",
    ]
    for cell, one in judged:
        if one is not None:
            out.append(
                f"  #{cell['seq']:<3} {one['verdict']:<13} {one['seconds']:>9.3f}s  "
                f"{one['because']}"
            )
    return out
