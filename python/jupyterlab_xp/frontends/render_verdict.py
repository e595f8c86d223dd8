"""The "where time went" section of ``jupyter xp show``: each long cell's verdict and the run's,
and the top operators of each cell run under ``%xp profile``."""

from __future__ import annotations

from typing import Any

from jupyterlab_xp.views.verdict import cell_verdict, memory_total_mb, run_verdict

SHOWN_OPERATORS = 5  # per profiled cell; the rest are in xp/profiles.json, the trace beside it


def render_time_went(detail: dict[str, Any]) -> list[str]:
    """Lines for a run detail (none when no cell could be judged and none was profiled)."""
    total_mb = memory_total_mb(detail.get("hardware"))
    judged = [(c, cell_verdict(c, total_mb)) for c in detail.get("cells_journal") or []]
    overall = run_verdict(one for _, one in judged)
    out: list[str] = []
    if overall is not None:
        out += [
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
    return out + render_profiles(detail.get("profiles") or [])


def render_profiles(profiles: list[dict[str, Any]]) -> list[str]:
    """Each profiled cell's top operators by self CPU time (boundary.CellProfile rows)."""
    if not profiles:
        return []
    out = ["\nprofiled cells (top operators by self CPU time)"]
    for profile in profiles:
        steps = f", first {profile['steps']} batches" if profile.get("steps") else ""
        trace = f"  trace xp/{profile['trace']}" if profile.get("trace") else ""
        out.append(f"  #{profile['cell']}{steps}{trace}")
        for op in profile["operators"][:SHOWN_OPERATORS]:
            cuda = op.get("self_cuda_us")
            gpu = f"  CUDA {cuda / 1000:.3f} ms" if cuda is not None else ""
            out.append(
                f"    {op['name'][:60]:<60} {op['self_cpu_us'] / 1000:>10.3f} ms "
                f"{op['calls']:>8} calls{gpu}"
            )
        if not profile["operators"]:
            out.append("    (no operators recorded)")
    return out
