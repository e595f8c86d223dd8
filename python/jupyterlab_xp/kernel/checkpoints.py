"""Saving a checkpoint of the active run (``xp.checkpoint``, ``%xp checkpoint NAME``).

The folder is written in the run folder first, complete and checksummed, then moved into place
in one rename; a journal record hands it to the sync thread, which uploads it as the run's
artifacts ``checkpoints/{name}/{version}/{timestamp}/``. The cell never waits for the store.
"""

from __future__ import annotations

import json
import pickle
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.files import file_sha256, read_json, write_atomic, write_json_atomic
from jupyterlab_xp.core.version import version as xp_version
from jupyterlab_xp.journal import checkpoints as folders
from jupyterlab_xp.kernel.rng_state import (
    RNG_FILE,
    TORCH_RNG_FILE,
    python_numpy_state,
    torch_state,
)

if TYPE_CHECKING:
    from jupyterlab_xp.kernel.run import ActiveRun

EXTRA_JSON = "extra.json"
EXTRA_PICKLE = "extra.pkl"
PARAMS_FILE = "params.json"
CAPTURE_WAIT_SECONDS = 5.0


def save(
    run: ActiveRun,
    name: str,
    objects: Mapping[str, Any],
    generator: Any = None,
    step: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Write checkpoint ``name`` of ``run`` (its next version) and journal it.

    Returns:
        Its index entry: name, version, timestamp, step, path, size, sha256 of metadata.json.

    Raises:
        XpError: a bad argument or a failed write; nothing is left behind and the run goes on.
    """
    folders.validate_name(name)
    if step is not None and (isinstance(step, bool) or not isinstance(step, int)):
        raise XpError(f"step must be an integer, got {step!r}")
    if extra is not None and not isinstance(extra, Mapping):
        raise XpError(f"extra must be a dict, got {type(extra).__name__}")
    given = {role: obj for role, obj in objects.items() if obj is not None}
    # torch only when the user handed us torch objects or already imported it (2 s to import).
    torch = sys.modules.get("torch")
    if (given or generator is not None) and torch is None:
        raise XpError("model, optimizer, scheduler and generator need torch, which is not imported")
    staging = folders.staging_dir(run.dir)
    try:
        kinds = _write_states(staging, given, torch, generator)
        extra_format = _write_extra(staging, dict(extra or {}))
        write_json_atomic(staging / PARAMS_FILE, dict(run.params))
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        number = folders.next_version(run.dir, name)
        meta = {
            "format": folders.FORMAT,
            "name": name,
            "version": number,
            "timestamp": stamp,
            "step": step,
            "run_id": run.run_id,
            "local_id": run.local_id,
            "run_name": run.name,
            "experiment": run.experiment,
            "code": _code_version(run),
            "objects": kinds,
            "rng": ["python"] + (["numpy"] if "numpy" in sys.modules else []) + _torch_rngs(torch),
            "extra": extra_format,
            "torch": getattr(torch, "__version__", None) if torch is not None else None,
            "files": folders.manifest(staging),
        }
        text = folders.metadata_text(meta)
        write_atomic(staging / tags.CHECKPOINT_METADATA, text)
        rel = folders.relative_dir(name, number, stamp)
        final = folders.publish(staging, run.dir, rel)
    except XpError:
        folders.discard(staging)
        raise
    except Exception as exc:  # a full disk, an unpicklable state: one line, the run goes on
        folders.discard(staging)
        raise XpError(f"checkpoint {name!r} not saved: {type(exc).__name__}: {exc}") from None
    entry = folders.index_entry(meta, rel, file_sha256(final / tags.CHECKPOINT_METADATA))
    index = folders.add_to_index(run.sync.artifacts_dir / tags.CHECKPOINTS_ARTIFACT, entry)
    run.record(
        "checkpoint",
        **entry,
        upload=rel,
        artifacts=[tags.CHECKPOINTS_ARTIFACT],
        tags={tags.CHECKPOINTS: str(len(index))},
    )
    ref = f"{run.run_id or run.local_id}:{name}:{number}"
    return {**entry, "folder": str(final), "objects": kinds, "ref": ref}


def _write_states(
    staging: Path, given: dict[str, Any], torch: Any, generator: Any
) -> dict[str, str]:
    kinds = {}
    for role, obj in given.items():
        if not hasattr(obj, "state_dict"):
            raise XpError(f"{role}= needs an object with state_dict(), got {type(obj).__name__}")
        torch.save(obj.state_dict(), staging / f"{role}.pt")
        kinds[role] = f"{type(obj).__module__}.{type(obj).__qualname__}"
    write_json_atomic(staging / RNG_FILE, python_numpy_state())
    if torch is not None:
        torch.save(torch_state(torch, generator), staging / TORCH_RNG_FILE)
        if generator is not None:
            kinds["generator"] = "torch.Generator"
    return kinds


def _write_extra(staging: Path, extra: dict[str, Any]) -> str | None:
    """JSON when ``extra`` survives a JSON round trip unchanged; a pickle otherwise."""
    if not extra:
        return None
    try:
        text = json.dumps(extra, sort_keys=True)
        if json.loads(text) == extra:
            write_atomic(staging / EXTRA_JSON, text + "\n")
            return "json"
    except (TypeError, ValueError):
        pass
    try:
        data = pickle.dumps(extra, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        raise XpError(f"extra cannot be pickled: {type(exc).__name__}: {exc}") from None
    write_atomic(staging / EXTRA_PICKLE, data)
    return "pickle"


def _torch_rngs(torch: Any) -> list[str]:
    if torch is None:
        return []
    return ["torch"] + (["cuda"] if torch.cuda.is_available() else [])


def _code_version(run: ActiveRun) -> dict[str, Any]:
    """The git commit the run's capture recorded (local work, waited for a few seconds at most
    when a checkpoint comes right after the start; never the store)."""
    path = run.sync.artifacts_dir / tags.GIT_ARTIFACT
    if not path.exists():
        run.wait_capture(path, CAPTURE_WAIT_SECONDS)
    git = read_json(path)
    repo = git.get("repository") if isinstance(git, dict) else None
    repo = repo if isinstance(repo, dict) else {}
    return {
        "git_commit": repo.get("commit"),
        "git_dirty": repo.get("dirty"),
        "notebook": str(run.notebook) if run.notebook is not None else None,
        "xp_version": xp_version(),
    }


def find_objects(namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The model, optimizer, scheduler and generator among a namespace's values, by type.

    A model is an ``nn.Module`` with parameters that is not part of another one found (a loss
    function has none; a layer belongs to its model). Each role must be unambiguous.

    Raises:
        XpError: two candidates for one role (the user then calls ``xp.checkpoint``).
    """
    torch = sys.modules.get("torch")
    if torch is None:
        return {}
    scheduler_base = getattr(torch.optim.lr_scheduler, "LRScheduler", None) or getattr(
        torch.optim.lr_scheduler, "_LRScheduler", None
    )
    types = {
        "model": torch.nn.Module,
        "optimizer": torch.optim.Optimizer,
        "scheduler": scheduler_base,
        "generator": torch.Generator,
    }
    seen: dict[str, dict[int, tuple[str, Any]]] = {role: {} for role in types}
    for key, value in namespace.items():
        if key.startswith("_"):
            continue
        for role, base in types.items():
            if base is not None and isinstance(value, base):
                seen[role].setdefault(id(value), (key, value))
    models = [(k, m) for k, m in seen["model"].values() if any(True for _ in m.parameters())]
    inner = {id(sub) for _, m in models for sub in m.modules() if sub is not m}
    seen["model"] = {id(m): (k, m) for k, m in models if id(m) not in inner}
    found = {}
    for role, candidates in seen.items():
        if len(candidates) > 1:
            names = ", ".join(sorted(k for k, _ in candidates.values()))
            raise XpError(
                f"%xp checkpoint found more than one {role} ({names}); "
                f"call xp.checkpoint(name, {role}=...) instead"
            )
        if candidates:
            found[role] = next(iter(candidates.values()))
    return found


def describe_saved(entry: dict[str, Any], names: Mapping[str, str]) -> str:
    """The line ``%xp checkpoint`` prints: what was saved and how to load it again."""
    saved = ", ".join(f"{role} {names[role]!r}" for role in names) or "no torch objects"
    return (
        f"xp: checkpoint {entry['name']} v{entry['version']} saved ({saved}, RNG states; "
        f"{entry['size']:,} bytes); load it with "
        f"xp.load_checkpoint({entry['ref']!r}, ...)"
    )
