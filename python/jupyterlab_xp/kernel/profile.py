"""``%xp profile [N]``: the next cell (or its first N loader batches) under ``torch.profiler``.

Arming registers two one-shot IPython hooks and nothing else, so a cell that is not profiled
pays nothing. The profiled cell's trace (Chrome/Perfetto JSON) and its top operators are
written into the run folder and named by a ``profile`` journal record: the sync process uploads
them with the run's other files (``xp/profiles/``, ``xp/profiles.json``); the kernel makes no
MLflow call. With N, each batch drawn from a torch DataLoader is one profiler step, and the
profiler stops recording after N of them (a long training cell's full trace would be
gigabytes). A failure of the profiler is one line on stderr: the cell, the kernel and the run
carry on.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.files import write_json_atomic
from jupyterlab_xp.kernel.run import ActiveRun

TOP_OPERATORS = 15  # operators kept per profiled cell, by self CPU time
MAX_STEPS = 1_000_000


def arm(shell: Any, run: ActiveRun, steps: int | None) -> str:
    """Profile the next cell ``shell`` runs into ``run``; returns the line to print.

    Raises:
        XpError: no torch, a shell without events, or a step count below 1.
    """
    if steps is not None and not 1 <= steps <= MAX_STEPS:
        raise XpError(f"the step count must be from 1 to {MAX_STEPS:,}, got {steps}")
    if shell is None or not hasattr(shell, "events"):
        raise XpError("%xp profile needs an IPython kernel")
    try:
        import torch.profiler  # noqa: F401  (seconds: only when asked for)
    except ImportError:
        raise XpError("%xp profile needs torch: pip install 'jupyterlab-xp[torch]'") from None
    for armed in [f for f in shell.events.callbacks["pre_run_cell"] if isinstance(f, _Armed)]:
        shell.events.unregister("pre_run_cell", armed)  # the last %xp profile wins
    shell.events.register("pre_run_cell", _Armed(shell, run, steps))
    what = f"its first {steps} DataLoader batches" if steps else "the whole cell"
    return f"xp: the next cell runs under torch.profiler ({what})"


class _Armed:
    """The pre_run_cell hook: starts the profiler as the next cell starts, once."""

    def __init__(self, shell: Any, run: ActiveRun, steps: int | None) -> None:
        self.shell, self.run, self.steps = shell, run, steps

    def __call__(self, info: Any = None) -> None:
        self.shell.events.unregister("pre_run_cell", self)
        if self.run.ended:
            _say("the run ended before the profiled cell: nothing profiled")
            return
        try:
            session = _Session(self.shell, self.run, self.steps)
        except Exception as exc:  # the profiler's own failure must not stop the cell
            _say(f"torch.profiler did not start ({type(exc).__name__}: {str(exc)[:200]})")
            return
        self.shell.events.register("post_run_cell", session)


class _Session:
    """One profiled cell: started by ``_Armed``, finished by the post_run_cell hook (itself)."""

    def __init__(self, shell: Any, run: ActiveRun, steps: int | None) -> None:
        import torch
        from torch.profiler import ProfilerActivity, profile, schedule

        self.shell, self.run, self.cell, self.steps = shell, run, run.cells, steps
        self.cuda = bool(torch.cuda.is_available())
        activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if self.cuda else [])
        self.result: Any = None
        when = None
        if steps is not None:
            with warnings.catch_warnings():  # "won't be using warmup": a first batch is cold
                warnings.simplefilter("ignore")
                when = schedule(wait=0, warmup=0, active=steps, repeat=1)
        self.profiler = profile(activities=activities, schedule=when, on_trace_ready=self._ready)
        self._restore = _step_on_batches(torch, self.profiler) if steps is not None else None
        self.profiler.start()

    def _ready(self, profiler: Any) -> None:
        self.result = profiler
        if self._restore is not None:  # the N steps are recorded: batches are plain again
            self._restore()
            self._restore = None

    def __call__(self, result: Any = None) -> None:
        self.shell.events.unregister("post_run_cell", self)
        try:
            self.profiler.stop()
        except Exception as exc:
            _say(f"torch.profiler did not stop ({type(exc).__name__}: {str(exc)[:200]})")
        finally:
            if self._restore is not None:
                self._restore()
        if self.result is None:
            _say("torch.profiler recorded nothing for this cell")
            return
        if self.run.ended:
            _say("the run ended in the profiled cell: its profile is not recorded")
            return
        try:
            self._record()
        except Exception as exc:  # a full disk, a trace torch could not write
            _say(f"the profile was not recorded ({type(exc).__name__}: {str(exc)[:200]})")

    def _record(self) -> None:
        folder = self.run.sync.artifacts_dir
        trace = f"{tags.PROFILES_DIR}/cell-{self.cell}.trace.json"
        (folder / tags.PROFILES_DIR).mkdir(parents=True, exist_ok=True)
        self.result.export_chrome_trace(str(folder / trace))
        operators = top_operators(self.result.key_averages(), self.cuda)
        entry = {
            "cell": self.cell,
            "steps": self.steps,
            "cuda": self.cuda,
            "trace": trace,
            "operators": operators,
        }
        index = folder / tags.PROFILES_ARTIFACT
        profiles = [p for p in _read_index(index) if p.get("cell") != self.cell] + [entry]
        write_json_atomic(index, profiles)
        self.run.record(
            "profile",
            cell=self.cell,
            steps=self.steps,
            artifacts=[trace, tags.PROFILES_ARTIFACT],
            tags={tags.PROFILES: str(len(profiles))},
        )
        names = ", ".join(op["name"] for op in operators[:3]) or "no operators"
        print(f"xp: profiled cell #{self.cell} (top: {names}); trace in xp/{trace}")


def top_operators(averages: Any, cuda: bool) -> list[dict[str, Any]]:
    """The :data:`TOP_OPERATORS` operators with the most self CPU time (microseconds)."""
    rows = []
    for event in averages:
        name = str(event.key)
        if name.startswith("ProfilerStep"):  # step markers (ProfilerStep*): a step, not an op
            continue
        row: dict[str, Any] = {
            "name": name[:300],
            "self_cpu_us": round(float(event.self_cpu_time_total), 3),
            "calls": int(event.count),
        }
        if cuda:
            # torch 2.4 renamed self_cuda_time_total (the old name is deprecated)
            device = getattr(event, "self_device_time_total", None)
            row["self_cuda_us"] = round(float(device or 0.0), 3)
        rows.append(row)
    rows.sort(key=lambda r: (-r["self_cpu_us"], r["name"]))
    return rows[:TOP_OPERATORS]


def _step_on_batches(torch: Any, profiler: Any) -> Any:
    """Make each DataLoader batch a profiler step; returns the function that undoes it."""
    owner: Any = getattr(torch.utils.data.dataloader, "_BaseDataLoaderIter", None)
    original = getattr(owner, "__next__", None)
    if owner is None or original is None:
        return None

    def __next__(iterator: Any) -> Any:
        batch = original(iterator)
        profiler.step()
        return batch

    owner.__next__ = __next__

    def restore() -> None:
        if owner.__next__ is __next__:
            owner.__next__ = original

    return restore


def _read_index(path: Path) -> list[dict[str, Any]]:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    return [p for p in value if isinstance(p, dict)] if isinstance(value, list) else []


def _say(text: str) -> None:
    print(f"xp: %xp profile: {text}", file=sys.stderr)
