"""A sweep worker: asks the study for trials and runs each as a promotion until the sweep is done.

``jupyter xp sweep`` starts N of these as processes (``python -m jupyterlab_xp.sweep.worker
STUDY``, the storage URL in ``XP_SWEEP_STORAGE``); ``jupyter xp sweep join`` runs one in the
foreground, on any machine that reaches the same storage and tracking store. Optuna hands out
trial numbers (no two workers get the same), keeps each running trial's heartbeat, and fails a
trial whose worker's heartbeat stopped when the next trial starts anywhere.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.config import resolve_store
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.process import process_start_time
from jupyterlab_xp.core.telemetry import apply_telemetry_choice
from jupyterlab_xp.promote.notebook_run import Cancelled
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.sweep import study as studies
from jupyterlab_xp.sweep.space import space_from_text, suggest
from jupyterlab_xp.sweep.trial import (
    COMPLETE,
    FAILED,
    PRUNED,
    code_digest,
    load_source,
    run_trial,
)


class TrialFailed(Exception):
    """A trial's notebook failed: the trial is FAIL, the sweep goes on."""


def worker_id() -> str:
    """``host:pid:start``: who runs a trial (a recycled pid is told apart by its start)."""
    return f"{socket.gethostname()}:{os.getpid()}:{process_start_time()}"


def counted(study: Any) -> int:
    """Trials asked for so far, in any state (what the trial budget counts)."""
    return len(study.get_trials(deepcopy=False))


def stop_reason(study: Any) -> str | None:
    """Why the sweep must stop (cancelled, objective never logged), if it must."""
    reason = study.user_attrs.get(studies.STOP_ATTR)
    return str(reason) if reason else None


def work(  # noqa: PLR0915  # the worker's loop: ask, run, tell, in one place
    store: MlflowStore,
    storage_url: str,
    study_name: str,
    root: Path | None = None,
    say: Any = print,
    index: int = 0,
) -> int:
    """Run trials of ``study_name`` until its budget is spent or it stops; the number run here."""
    import optuna

    storage = studies.open_storage(storage_url)
    study, config = studies.load(storage, study_name, index)
    code_digest(config)  # XpError before any trial: a sweep without the digest runs nothing
    src = load_source(store, config, root)
    space = space_from_text(config["space"])
    target = int(config["trials"])
    ran = 0
    os.environ[tags.SWEEP_STORAGE_ENV] = storage_url  # the trial's kernel inherits it

    def objective(trial: Any) -> float:
        nonlocal ran
        if trial.number >= target:
            # Two workers that end trials at once can both find the budget unspent and both
            # ask for one. The storage numbers trials atomically (it locks the study's row),
            # so the one past the budget is known here, before anything runs: it never runs,
            # and the sweep's views leave it out.
            trial.set_user_attr(studies.OVER_BUDGET_ATTR, True)
            study.stop()
            raise optuna.TrialPruned()
        ran += 1
        params = suggest(trial, space)
        trial.set_user_attr(studies.WORKER_ATTR, worker_id())
        shown = ", ".join(f"{k}={v!r:.12}" for k, v in params.items())
        say(f"trial {trial.number}: {shown}")
        try:
            outcome = run_trial(store, src, config, trial.number, params, root)
        except Cancelled:
            raise KeyboardInterrupt from None  # Optuna marks the trial FAIL, then re-raises
        except XpError as exc:  # refused before it ran (the code changed since it was shown)
            message = f"trial {trial.number} refused: {exc}"
            study.set_user_attr(studies.STOP_ATTR, message + "; the sweep stopped")
            study.stop()  # every worker, here or joined elsewhere, starts no new trial
            say(message)
            raise TrialFailed(message) from None
        if outcome.run_id:
            trial.set_user_attr(studies.RUN_ATTR, outcome.run_id)
        if outcome.state == PRUNED:
            say(f"trial {trial.number}: pruned (run {outcome.run_id})")
            raise optuna.TrialPruned()
        if outcome.state == FAILED:
            say(f"trial {trial.number}: failed: {outcome.error}")
            raise TrialFailed(outcome.error or "failed")
        assert outcome.state == COMPLETE
        if outcome.value is None:
            objective_name = config["objective"]
            logged = ", ".join(m for m in outcome.metrics if not m.startswith("system/"))
            message = (
                f"trial {trial.number} logged no metric {objective_name} (it logged: "
                f"{logged or 'none'}); check --objective"
            )
            completed = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
            if not completed:  # no trial ever logged it: stop the sweep, not just this trial
                study.set_user_attr(studies.STOP_ATTR, message + "; the sweep stopped")
                study.stop()
            say(message)
            raise TrialFailed(message)
        say(f"trial {trial.number}: {config['objective']} = {outcome.value:.6g}")
        return float(outcome.value)

    def stop_when_told(study: Any, trial: Any) -> None:
        if stop_reason(study) or counted(study) >= target:
            study.stop()

    if stop_reason(study) or counted(study) >= target:
        return 0
    study.optimize(
        objective,
        n_trials=target,
        timeout=config.get("timeout"),
        catch=(TrialFailed,),
        callbacks=[stop_when_told],
    )
    return ran


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Cancelled()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    url = os.environ.get(tags.SWEEP_STORAGE_ENV)
    if len(args) not in (2, 3) or not args[1].isdigit() or not url:
        print(
            "usage: XP_SWEEP_STORAGE=URL python -m jupyterlab_xp.sweep.worker STUDY INDEX [ROOT]",
            file=sys.stderr,
        )
        return 2
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # see promote.job
    apply_telemetry_choice()  # its kernels inherit this environment
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the coordinator decides, with SIGTERM
    store = MlflowStore(resolve_store())
    root = Path(args[2]) if len(args) == 3 else None
    prefix = f"[worker {os.getpid()}]"
    try:
        work(store, url, args[0], root, lambda line: print(prefix, line, flush=True), int(args[1]))
    except (KeyboardInterrupt, Cancelled):
        print(prefix, "stopped", flush=True)
        return 130
    except (XpError, LookupError) as exc:
        print(prefix, f"error: {exc}", flush=True)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
