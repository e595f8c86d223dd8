"""The Optuna side of a sweep: storage, sampler, pruner, and the study's own record of its config.

The study lives in Optuna's RDB storage: a SQLite file in ``$XP_HOME/sweeps`` by default, or any
SQLAlchemy URL (the team's PostgreSQL) so that workers on other machines share it. Storage that
cannot be reached is one line before anything runs. Optuna is imported here, lazily.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.redact import strip_url_credentials
from jupyterlab_xp.sweep.space import Dimension, check_grid, space_from_text

SAMPLERS = ("tpe", "random", "grid")
PRUNERS = ("hyperband", "median", "none")
DIRECTIONS = ("maximize", "minimize")
CONFIG_ATTR = "xp"  # the study's user attribute holding the sweep's config (JSON)
STOP_ATTR = "xp.stop"  # set when the sweep must stop: why, in one line
WORKER_ATTR = "xp.worker"  # a trial's user attribute: "host:pid:pid_start" of its worker
RUN_ATTR = "xp.run"  # a trial's user attribute: its MLflow run id
# A trial a worker asked for past the budget (racing another worker): never run, not shown.
OVER_BUDGET_ATTR = "xp.over_budget"
# Heartbeats let any worker fail a trial whose worker died on another machine (seconds;
# XP_SWEEP_HEARTBEAT="interval:grace" overrides, the tests use short ones).
HEARTBEAT = (10, 60)
_STUDY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def default_storage(home: Path) -> str:
    """The SQLite storage in the xp home (its folder is created)."""
    folder = home / "sweeps"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return f"sqlite:///{folder / 'optuna.db'}"


def display_url(url: str) -> str:
    """The storage URL as it may be shown and stored: without credentials."""
    return strip_url_credentials(url)


def check_study_name(name: str) -> str:
    if not isinstance(name, str) or not _STUDY_NAME.match(name):
        raise XpError(f"not a study name: {str(name)[:80]!r}")
    return name


def heartbeat() -> tuple[int, int]:
    text = os.environ.get("XP_SWEEP_HEARTBEAT", "")
    interval, _, grace = text.partition(":")
    if interval.isdigit() and grace.isdigit() and 0 < int(interval) < int(grace):
        return int(interval), int(grace)
    return HEARTBEAT


def open_storage(url: str) -> Any:
    """Optuna's RDB storage at ``url``, its tables created; XpError in one line if unreachable."""
    import warnings

    import optuna

    if not isinstance(url, str) or "://" not in url or len(url) > 2000:
        raise XpError(f"--storage must be a database URL, got {str(url)[:80]!r}")
    # Workers print one line per trial; Optuna's own warnings would repeat them with tracebacks.
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 60}  # workers on one file wait for its lock
    elif url.startswith("postgresql"):
        kwargs["connect_args"] = {"connect_timeout": 10}
    interval, grace = heartbeat()
    for attempt in range(3):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # heartbeat is experimental: not news here
                return optuna.storages.RDBStorage(
                    url,
                    engine_kwargs=kwargs,
                    heartbeat_interval=interval,
                    grace_period=grace,
                )
        except Exception as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            # Two processes creating a new database's tables at once: the loser sees them
            # appear under it (or the file locked); the next attempt finds them made.
            if attempt < 2 and ("already exists" in first or "locked" in first):
                time.sleep(0.5)
                continue
            raise XpError(
                f"cannot reach the sweep storage {display_url(url)}: {first[:200]}"
            ) from None
    raise AssertionError("not reached")


def make_sampler(name: str, space: dict[str, Dimension], seed: int | None) -> Any:
    import optuna

    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "grid":
        check_grid(space)  # a study's config is read back: never list a grid past the cap
        grid = {d.name: d.grid() for d in space.values()}
        return optuna.samplers.GridSampler(grid, seed=seed)
    raise XpError(f"--sampler must be one of {', '.join(SAMPLERS)}, got {name[:30]!r}")


def make_pruner(name: str) -> Any:
    import optuna

    if name == "hyperband":
        return optuna.pruners.HyperbandPruner()
    if name == "median":
        # Sweeps here are tens of trials: start pruning after two, not Optuna's five.
        return optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=0)
    if name == "none":
        return optuna.pruners.NopPruner()
    raise XpError(f"--pruner must be one of {', '.join(PRUNERS)}, got {name[:30]!r}")


def check_choices(sampler: str, pruner: str, direction: str) -> None:
    """One line for a sampler, pruner or direction we do not know."""
    if sampler not in SAMPLERS:
        raise XpError(f"--sampler must be one of {', '.join(SAMPLERS)}, got {sampler[:30]!r}")
    if pruner not in PRUNERS:
        raise XpError(f"--pruner must be one of {', '.join(PRUNERS)}, got {pruner[:30]!r}")
    if direction not in DIRECTIONS:
        raise XpError(f"--direction must be one of {', '.join(DIRECTIONS)}, got {direction[:30]!r}")


def create(storage: Any, name: str, config: dict[str, Any], space: dict[str, Dimension]) -> Any:
    """A new study named ``name`` holding ``config`` (XpError when the name is taken)."""
    import optuna

    check_study_name(name)
    try:
        study = optuna.create_study(
            storage=storage,
            study_name=name,
            direction=config["direction"],
            sampler=make_sampler(config["sampler"], space, config.get("sampler_seed")),
            pruner=make_pruner(config["pruner"]),
        )
    except optuna.exceptions.DuplicatedStudyError:
        raise XpError(f"a study named {name} exists already in that storage") from None
    study.set_user_attr(CONFIG_ATTR, config)
    return study


def load(
    storage: Any, name: str, worker: int = 0, sampling: bool = True
) -> tuple[Any, dict[str, Any]]:
    """The study ``name`` with its sampler and pruner, and its sweep config.

    ``worker``: offsets a ``--sampler-seed`` so that workers started together do not draw the
    same values (one worker with a seed repeats a sweep exactly). ``sampling=False``: the study
    only to read (``sweep show``, ``GET sweeps/{id}``), with no sampler built (a grid sampler
    lists every point of its grid).
    """
    import optuna

    check_study_name(name)
    try:
        summary = optuna.load_study(study_name=name, storage=storage)
    except KeyError:
        raise LookupError(f"no sweep study {name} in that storage") from None
    config = summary.user_attrs.get(CONFIG_ATTR)
    if not isinstance(config, dict):
        raise XpError(f"study {name} was not created by jupyter xp sweep")
    space = space_from_text(config.get("space"))
    if not sampling:
        return summary, config
    study = optuna.load_study(
        study_name=name,
        storage=storage,
        sampler=make_sampler(config["sampler"], space, _seed(config.get("sampler_seed"), worker)),
        pruner=make_pruner(config["pruner"]),
    )
    return study, config


def _seed(seed: int | None, worker: int) -> int | None:
    return None if seed is None else (int(seed) + worker) % 2**32


def study_names(storage: Any) -> list[str]:
    import optuna

    return [s.study_name for s in optuna.study.get_all_study_summaries(storage)]
