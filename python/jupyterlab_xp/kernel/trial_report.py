"""A sweep trial's kernel: ``xp.log`` of the objective reports to its Optuna trial (may prune).

The sweep's worker sets ``XP_TRIAL`` (JSON: study, trial number, objective) and
``XP_SWEEP_STORAGE`` in the kernel it starts. Only then is Optuna imported, at the first
report; on every other kernel :func:`report` is one dictionary lookup.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from typing import Any

from jupyterlab_xp.core import tags


class TrialPruned(Exception):
    """The sweep's pruner stopped this trial; the run ends FINISHED with tag ``xp.pruned``."""


class _Reporter:
    """The Optuna trial this kernel runs, opened at the first report."""

    def __init__(self, spec: dict[str, Any]) -> None:
        from jupyterlab_xp.sweep.study import load, open_storage

        self.objective = str(spec["objective"])
        storage = open_storage(os.environ.get(tags.SWEEP_STORAGE_ENV, ""))
        study, _ = load(storage, str(spec["study"]))
        study_id = storage.get_study_id_from_name(study.study_name)
        trial_id = storage.get_trial_id_from_study_id_trial_number(study_id, int(spec["number"]))
        import optuna

        self.trial = optuna.trial.Trial(study, trial_id)
        self.steps = 0

    def report(self, value: float, step: int | None) -> int | None:
        """Report ``value``; the step at which to stop when the pruner says so."""
        at = self.steps if step is None else int(step)
        self.steps = at + 1
        self.trial.report(float(value), at)
        return at if self.trial.should_prune() else None


_reporter: _Reporter | None = None
_broken = False


def report(metrics: Mapping[str, Any], step: int | None, set_tags: Any) -> None:
    """Report the objective in ``metrics`` to the trial; raise :class:`TrialPruned` to stop.

    Args:
        metrics: what ``xp.log`` was given.
        step: its step.
        set_tags: records tags on the run (the pruned step lands as ``xp.pruned``).
    """
    global _reporter, _broken
    text = os.environ.get(tags.TRIAL_ENV)
    if not text or _broken:
        return
    try:
        if _reporter is None:
            _reporter = _Reporter(json.loads(text))
        if _reporter.objective not in metrics:
            return
        stop_at = _reporter.report(metrics[_reporter.objective], step)
    except Exception as exc:  # a trial that cannot report runs on, unpruned
        _broken = True
        print(
            f"xp: cannot report to the sweep's trial ({exc}); it runs to the end", file=sys.stderr
        )
        return
    if stop_at is not None:
        set_tags({tags.PRUNED: str(stop_at)})
        raise TrialPruned(f"the sweep's pruner stopped this trial at step {stop_at}")
