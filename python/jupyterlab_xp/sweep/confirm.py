"""``sweep confirm``: the best and the runner-up configurations again, over fresh seeds, compared.

Each configuration is promoted over N seeds the sweep never used; the two seed groups are then
compared with the seed-group statistics of ``compare`` (interval per group, Welch and permutation
tests, Cohen's d, corrected p-values), so "the winner" is checked against seed noise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.promote import jobs
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.sweep.trial import code_digest, load_source
from jupyterlab_xp.views.compare import MAX_RUNS, compare_runs

MIN_SEEDS = 2


def fresh_seeds(used: int, count: int) -> list[int]:
    """``count`` seeds after the one the sweep's trials used."""
    return [(used + 1 + i) % 2**32 for i in range(count)]


def plan(detail: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """The configurations to run (best, then runner-up when there is one) and their seeds."""
    if not MIN_SEEDS <= count <= MAX_RUNS // 2:
        raise XpError(f"--seeds must be {MIN_SEEDS} to {MAX_RUNS // 2} (two groups are compared)")
    if detail["best"] is None:
        raise XpError(f"sweep {detail['study']} has no complete trial to confirm")
    seeds = fresh_seeds(int(detail["seed"]), count)
    picked = [detail["best"]] + ([detail["runner_up"]] if detail["runner_up"] else [])
    return [
        {"label": label, "trial": t["number"], "params": t["params"], "seeds": seeds}
        for label, t in zip(("best", "runner-up"), picked, strict=False)
    ]


def confirm(
    store: MlflowStore,
    detail: dict[str, Any],
    count: int,
    root: Path | None = None,
    say: Any = print,
) -> dict[str, Any]:
    """Promote each planned configuration over fresh seeds, then compare the groups."""
    config = {
        "source_run_id": detail["source_run_id"],
        "notebook": detail["notebook"],
        "code_sha256": detail.get("code_sha256"),
    }
    digest = code_digest(config)  # the configurations run the code the sweep ran, or none
    src = load_source(store, config, root)
    started = []
    for item in plan(detail, count):  # both jobs at once: each runs its seeds in turn
        job = jobs.create(
            store,
            src,
            root=root,
            extra={"tags": {tags.SWEEP_RUN: detail["run_id"]}},
            params=item["params"],
            seeds=item["seeds"],
            order=detail.get("order"),
            code_sha256=digest,
        )
        label = f"{item['label']} (trial {item['trial']})"
        say(f"{label}: promotion {job['id']}, seeds {item['seeds']}")
        started.append((item, job["id"]))
    groups = []
    for item, job_id in started:
        job = jobs.follow(store, job_id, quiet=True)
        runs = [r["run_id"] for r in job["runs"] if r["run_id"] and r["status"] == tags.FINISHED]
        groups.append({**item, "promotion": job_id, "state": job["state"], "run_ids": runs})
    ids = [run_id for g in groups for run_id in g["run_ids"]]
    body = compare_runs(store, ids) if len(ids) >= 2 else None
    objective = detail["objective"]
    return {
        "sweep": detail["run_id"],
        "objective": objective,
        "groups": groups,
        "seed_groups": body["seed_groups"] if body else [],
        "tests": [t for t in (body["group_tests"] if body else []) if t.get("key") == objective],
    }
