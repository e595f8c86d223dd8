"""The Python API: ``import jupyterlab_xp as xp`` then ``xp.start()``, ``xp.log()``, ...

The same meaning as the ``%xp`` magic, usable from notebooks and plain scripts alike.
"""

from __future__ import annotations

import os
import random
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.validation import seed_name
from jupyterlab_xp.kernel import config_record, trial_report
from jupyterlab_xp.kernel.recorder import CELL_WAIT_SECONDS, get_recorder
from jupyterlab_xp.kernel.run import ActiveRun
from jupyterlab_xp.kernel.seeds import derive_seed, parse_seed
from jupyterlab_xp.kernel.values import MetricNameWarning, metric_name_problem

_STATUSES = {"finished": tags.FINISHED, "failed": tags.FAILED, "killed": tags.KILLED}


class RunHandle:
    """A recorded run; a context manager that stops the run (FAILED on an exception)."""

    def __init__(self, run: ActiveRun) -> None:
        self._run = run

    @property
    def run_id(self) -> str | None:
        """The MLflow run id.

        Waits up to a minute for the run's sync process to create it, and at most a few seconds
        once that process says the store is failing (down, or refusing the credentials): None
        then, and the journal keeps the run until the store answers.
        """
        return self._run.run_id or self._run.wait_run_id(60.0, CELL_WAIT_SECONDS)

    @property
    def created_run_id(self) -> str | None:
        """The MLflow run id if the store has created the run already; never waits."""
        return self._run.run_id

    @property
    def synced_by_its_job(self) -> bool:
        """True in a promotion's kernel: its job syncs the journal once the kernel is gone."""
        return self._run.deferred

    @property
    def local_id(self) -> str:
        """The id of the run's local folder (journal) in the xp home."""
        return self._run.local_id

    @property
    def name(self) -> str | None:
        """The run name given at start."""
        return self._run.name

    @property
    def seed(self) -> int:
        """The root seed."""
        return self._run.seed

    @property
    def experiment(self) -> str:
        """The experiment name."""
        return self._run.experiment

    @property
    def cells(self) -> int:
        """Cell executions journaled so far."""
        return self._run.cells

    def __enter__(self) -> RunHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if get_recorder().active is self._run:
            stop("failed" if exc_type is not None else "finished")

    def __repr__(self) -> str:
        return f"<xp run {self.name or 'unnamed'} local={self.local_id[:8]} seed={self.seed}>"


def start(
    name: str | None = None,
    *,
    experiment: str | None = None,
    seed: int | None = None,
    deterministic: bool = False,
    tags: Mapping[str, str] | None = None,
    notebook: str | os.PathLike[str] | None = None,
) -> RunHandle:
    """Start recording a run: seed everything and capture environment, hardware and git.

    Args:
        name: the run name shown in MLflow and the panel.
        experiment: experiment name; default ``$MLFLOW_EXPERIMENT_NAME``, else the notebook's
            file name, else ``scratch``.
        seed: the root seed; drawn at random (and recorded) when not given.
        deterministic: turn on torch's deterministic algorithms, cuDNN determinism and
            ``CUBLAS_WORKSPACE_CONFIG``.
        tags: extra MLflow tags.
        notebook: the notebook file this run executes, when the kernel cannot know it (a
            renamed notebook, papermill); found from the kernel's session otherwise.

    Returns:
        A handle, usable as a context manager.

    Raises:
        XpError: a run is already active, or an argument is invalid (nothing changes).
    """
    _attach_ipython()
    return RunHandle(
        get_recorder().start(
            name=name,
            experiment=experiment,
            seed=seed,
            deterministic=deterministic,
            tags_=tags,
            notebook=os.fspath(notebook) if notebook is not None else None,
        )
    )


def _attach_ipython() -> None:
    """Inside IPython, ``xp.start()`` records cells too, as if ``%load_ext`` had run."""
    ipython_module = sys.modules.get("IPython")  # never import IPython into a plain script
    shell = ipython_module.get_ipython() if ipython_module is not None else None
    if shell is not None and get_recorder().shell is None:
        # Through IPython's extension manager, as `%load_ext` would: it also marks the
        # extension loaded, and this module need not import the magics (which import it).
        shell.extension_manager.load_extension("jupyterlab_xp")


def stop(status: str = "finished") -> RunHandle:
    """Stop the active run with ``status`` (``finished``, ``failed`` or ``killed``)."""
    if status.lower() not in _STATUSES:
        raise XpError(f"status must be one of {', '.join(_STATUSES)}, got {status!r}")
    return RunHandle(get_recorder().stop(_STATUSES[status.lower()]))


def _require_run() -> ActiveRun:
    run = get_recorder().active
    if run is None:
        raise XpError("no run is being recorded; start one with xp.start() or %xp start")
    return run


_NAMES_WARNED: set[str] = set()  # metric names already warned about: once per key


def log(metrics: Mapping[str, float], step: int | None = None) -> None:
    """Log numeric metrics, e.g. ``xp.log({"val/accuracy": 0.93}, step=epoch)``."""
    if not isinstance(metrics, Mapping):
        raise XpError("xp.log takes a dict of metric name to number")
    run = _require_run()
    run.log_metrics(metrics, step)
    # a sweep's trial: its pruner may stop the cell
    trial_report.report(metrics, step, run.set_tags)
    for key in metrics:
        problem = metric_name_problem(key) if key not in _NAMES_WARNED else None
        if problem:
            _NAMES_WARNED.add(key)
            warnings.warn(f"metric {key!r} {problem}", MetricNameWarning, stacklevel=2)


def param(config: Any = None, /, **values: Any) -> None:
    """Record parameters: ``xp.param(lr=0.01, layers=3)``, or one config (write-once per run).

    A config — a nested dict, dataclass, pydantic model, ``argparse.Namespace`` or
    OmegaConf/Hydra config — becomes dotted params (``model.width``); its resolved form is kept
    as ``xp/config.json`` and, for pydantic models and dataclasses, its schema as
    ``xp/config.schema.json``, so that promote and sweep can check overrides against it. In a
    promoted kernel, the promotion's config overrides (``-p model.lr 0.01``) are set in
    ``config`` itself first, so the notebook's code after this call sees them too.
    """
    run = _require_run()
    if config is None:
        run.log_params(values)
        return
    if values:
        raise XpError("xp.param takes one config or name=value pairs, not both")
    config_record.apply_pending(get_recorder(), config)  # a promotion's, in the user's config
    config_record.record(run, config)


def seed(name: str) -> int:
    """A named seed derived from the run's root seed, e.g. ``xp.seed("data")``, for your own
    generators; recorded as the param ``seed.NAME``. The same root seed gives the same value."""
    run = _require_run()
    value = derive_seed(run.seed, seed_name(name))
    run.log_params({f"{tags.NAMED_SEED_PREFIX}{name}": value})
    return value


def tag(**values: Any) -> None:
    """Set tags on the active run."""
    _require_run().set_tags(values)


def dataset(data: Any, name: str | None = None, context: str = "training") -> str:
    """Declare data the run reads: a file or folder, or a Hugging Face ``datasets`` object.

    A path's content checksum is computed in the background, with its provenance (the DVC
    pointer that tracks it); a ``Dataset`` or ``DatasetDict`` is recorded by its fingerprint,
    config, split sizes and, when loaded from the Hub, the commit it was read at. Each lands as
    an MLflow dataset input and a tag ``xp.dataset.<name>``; compare two runs to see if their
    data differ. ``load_dataset`` in a recording declares what it returns by itself; declaring
    it again adds no second input, only ``name`` as a tag.

    Returns:
        The dataset's name in the run (``name``, else the file or folder's or the dataset's).
    """
    if isinstance(data, str | os.PathLike):
        return _require_run().dataset(Path(data), name, context)
    from jupyterlab_xp.kernel.hf_datasets import describe

    return _require_run().hf_dataset(describe(data), name, context)


def note(text: str) -> None:
    """Attach a free-text note to the active run."""
    _require_run().note(text)


def active_run() -> RunHandle | None:
    """The run being recorded in this process, or None."""
    run = get_recorder().active
    return RunHandle(run) if run is not None else None


def seed_everything(seed: int) -> int:
    """Seed Python ``random``, NumPy and torch (those already imported) with ``seed``.

    During a run the call is recorded and libraries imported later are seeded on import.
    """
    value = parse_seed(seed)
    run = get_recorder().active
    if run is not None:
        run.record("seed_call", fn="xp.seed_everything", args=[repr(value)])
        run.seeds.reseed(value)
        return value
    random.seed(value)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(value)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(value)
    return value


def device(preference: str = "auto") -> str:
    """The torch device to use: ``auto`` picks cuda, then mps, then cpu; recorded on the run.

    Args:
        preference: ``auto``, or an explicit ``cpu``, ``cuda``, ``cuda:N`` or ``mps``.
    """
    try:
        import torch
    except ImportError:  # torch is an extra: the recorder works without it, this does not
        raise XpError("xp.device() needs torch: pip install 'jupyterlab-xp[torch]'") from None

    from jupyterlab_xp.capture.hardware import torch_runtime_info

    if preference == "auto":
        if torch.cuda.is_available():
            chosen = "cuda"
        elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            chosen = "mps"
        else:
            chosen = "cpu"
    else:
        kind, _, index = preference.partition(":")
        if kind not in ("cpu", "cuda", "mps") or (index and not index.isdigit()):
            raise XpError(f"device must be auto, cpu, cuda, cuda:N or mps, got {preference!r}")
        chosen = preference
    run = get_recorder().active
    if run is not None:
        run.record(
            "device", device=chosen, torch=torch_runtime_info(torch), tags={tags.DEVICE: chosen}
        )
    return chosen


def checkpoint(
    name: str,
    *,
    model: Any = None,
    optimizer: Any = None,
    scheduler: Any = None,
    generator: Any = None,
    step: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Save a checkpoint of the active run that resumes exactly: ``xp.checkpoint("mlp", ...)``.

    Saves the state dicts given, ``step``, ``extra`` (JSON, else pickled), the RNG states
    (Python, NumPy, torch CPU and every CUDA device, and ``generator``'s), the run's params and
    a ``metadata.json`` with every file's sha256 and size, the run id and the git commit. It is
    written to the run folder first and uploaded in the background as the run's artifacts
    ``checkpoints/{name}/{version}/{timestamp}/`` (version: 1, 2, ... per name in the run).

    Args:
        name: the checkpoint's name (letters, digits, ``_ . -``).
        model, optimizer, scheduler: objects with ``state_dict()`` (torch modules, ...).
        generator: a ``torch.Generator`` the data pipeline draws from (a shuffling loader).
        step: the step or epoch the checkpoint was taken at.
        extra: anything else to keep (picklable).

    Returns:
        name, version, step, size, sha256 (of metadata.json), path, folder, and ``ref``
        (``RUN:NAME:VERSION``, what ``xp.load_checkpoint`` takes).
    """
    from jupyterlab_xp.kernel.checkpoints import save

    objects = {"model": model, "optimizer": optimizer, "scheduler": scheduler}
    return save(_require_run(), name, objects, generator, step, extra)


def load_checkpoint(
    ref: str | os.PathLike[str],
    *,
    model: Any = None,
    optimizer: Any = None,
    scheduler: Any = None,
    generator: Any = None,
    restore_rng: bool = True,
    allow_pickle: bool = False,
    map_location: Any = "cpu",
) -> Any:
    """Load a checkpoint, verify it and restore its states: ``xp.load_checkpoint("3f2a:mlp")``.

    Every file's sha256 is checked before anything is read. In an active run, the tag
    ``xp.resumed_from`` records ``RUN:NAME:VERSION``.

    Args:
        ref: ``"RUN[:NAME[:VERSION]]"`` (a run id or unique prefix; NAME defaults to the last
            checkpointed, VERSION to the latest) or a checkpoint folder. Read from this
            machine's run folder when it is here, else downloaded from the store.
        model, optimizer, scheduler: objects whose ``load_state_dict`` gets the saved states.
        generator: the ``torch.Generator`` whose state to restore.
        restore_rng: restore Python's, NumPy's and torch's RNG states too (default True).
        allow_pickle: unpickle objects beyond tensors and plain values (a pickled ``extra``)
            from a checkpoint that was not written on this machine; unpickling runs code.
        map_location: where torch puts the loaded tensors (default ``"cpu"``).

    Returns:
        A ``Checkpoint``: ``step``, ``extra``, ``params``, ``name``, ``version``, ``run_id``.
    """
    from jupyterlab_xp.kernel.resume import load

    objects = {"model": model, "optimizer": optimizer, "scheduler": scheduler}
    return load(get_recorder(), ref, objects, generator, restore_rng, allow_pickle, map_location)
