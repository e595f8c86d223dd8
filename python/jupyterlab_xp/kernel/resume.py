"""Loading a checkpoint (``xp.load_checkpoint``): find it, verify it, restore it, note it.

Every file's sha256 is checked against ``metadata.json`` before anything is read. State dicts
and torch RNG states are read with ``torch.load(weights_only=True)``, which builds tensors and
plain containers and runs no code; anything that would need full unpickling (a pickled
``extra``, a state dict holding custom objects) is read only from this machine's own run
folders, or when the caller says ``allow_pickle=True``: a checkpoint downloaded from a shared
store, or a folder from elsewhere, is not trusted to run code in this kernel.
"""

from __future__ import annotations

import os
import pickle
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.config import StoreLocation
from jupyterlab_xp.core.errors import StoreError, XpError
from jupyterlab_xp.core.files import file_sha256, read_json
from jupyterlab_xp.journal import checkpoints as folders
from jupyterlab_xp.journal.rundir import ARTIFACTS_DIR, STATE_FILE
from jupyterlab_xp.kernel.checkpoints import EXTRA_JSON, EXTRA_PICKLE, PARAMS_FILE
from jupyterlab_xp.kernel.recorder import Recorder
from jupyterlab_xp.kernel.rng_state import (
    RNG_FILE,
    TORCH_RNG_FILE,
    restore_python_numpy,
    restore_torch,
)
from jupyterlab_xp.store import boundary


@dataclass
class Checkpoint:
    """A loaded checkpoint: where it came from and what it held besides the restored states."""

    name: str
    version: int
    step: int | None
    extra: dict[str, Any]
    params: dict[str, str]
    run_id: str | None
    path: Path
    metadata: dict[str, Any] = field(repr=False)
    restored: list[str] = field(default_factory=list)

    @property
    def ref(self) -> str:
        """``RUN:NAME:VERSION``, what ``xp.load_checkpoint`` takes to load it again."""
        run = self.run_id or self.metadata.get("local_id") or "?"
        return f"{run}:{self.name}:{self.version}"


@dataclass
class _Found:
    folder: Path
    trusted: bool  # written on this machine (the run folders in XP_HOME): may be unpickled
    where: str
    expected: dict[str, Any] | None = None  # the index entry that named it
    run_id: str | None = None  # the store's id of the run, when it was looked up
    downloaded: bool = False  # a copy in XP_HOME/cache, fetched from the store


def load(
    recorder: Recorder,
    ref: str | os.PathLike[str],
    objects: dict[str, Any],
    generator: Any = None,
    restore_rng: bool = True,
    allow_pickle: bool = False,
    map_location: Any = "cpu",
) -> Checkpoint:
    """See :func:`jupyterlab_xp.load_checkpoint`."""
    found = _locate(recorder, ref)
    try:
        meta = folders.verify(found.folder)
    except XpError:
        if found.downloaded:  # the next try downloads again rather than failing on this copy
            shutil.rmtree(found.folder, ignore_errors=True)
        raise
    expected = found.expected
    if expected is not None and (
        expected.get("name") != meta.get("name") or expected.get("version") != meta.get("version")
    ):
        raise XpError(f"checkpoint {found.folder}: metadata.json names another checkpoint")
    files = meta["files"]
    trusted = found.trusted or allow_pickle
    given = {role: obj for role, obj in objects.items() if obj is not None}
    restored = []
    for role, obj in given.items():
        if f"{role}.pt" not in files:
            raise XpError(f"checkpoint {meta['name']} v{meta['version']} holds no {role} state")
        state = _torch_load(found.folder / f"{role}.pt", trusted, map_location, found.where)
        try:
            obj.load_state_dict(state)
        except Exception as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise XpError(f"cannot load the {role} state: {first}") from None
        restored.append(role)
    if generator is not None and not restore_rng:
        raise XpError("generator= restores its RNG state: drop it or set restore_rng=True")
    if restore_rng:
        try:
            restored += restore_python_numpy(_listed_json(found, files, RNG_FILE))
        except (TypeError, ValueError, OverflowError) as exc:
            where = f"checkpoint of {found.where}"
            raise XpError(f"{where}: {RNG_FILE} cannot be restored: {exc}") from None
        torch = sys.modules.get("torch")  # a kernel without torch has no torch state to set
        if TORCH_RNG_FILE in files and torch is not None:
            state = _torch_load(found.folder / TORCH_RNG_FILE, trusted, "cpu", found.where)
            restored += restore_torch(torch, state, generator)
        elif generator is not None:
            raise XpError("the checkpoint holds no torch RNG state (saved without torch)")
    checkpoint = Checkpoint(
        name=str(meta["name"]),
        version=int(meta["version"]),
        step=meta.get("step"),
        extra=_extra(found, files, trusted),
        params=_listed_json(found, files, PARAMS_FILE),
        run_id=found.run_id or meta.get("run_id"),
        path=found.folder,
        metadata=meta,
        restored=restored,
    )
    parents = found.folder.parents  # run folder / checkpoints / name / version / stamp
    if checkpoint.run_id is None and found.trusted and len(parents) > 3:
        checkpoint.run_id = _read_run_id(parents[3])  # saved before the run reached the store
    _note_resume(recorder, checkpoint)
    return checkpoint


def _locate(recorder: Recorder, ref: str | os.PathLike[str]) -> _Found:
    runs_dir = recorder.location.runs_dir.resolve()
    if isinstance(ref, os.PathLike) or (
        isinstance(ref, str) and (os.sep in ref or ref.startswith((".", "~")))
    ):
        folder = Path(ref).expanduser().resolve()
        if not (folder / tags.CHECKPOINT_METADATA).is_file():
            raise XpError(f"{folder} is not a checkpoint folder (no {tags.CHECKPOINT_METADATA})")
        return _Found(folder, folder.is_relative_to(runs_dir), str(folder))
    if not isinstance(ref, str):
        raise XpError(f"expected 'RUN[:NAME[:VERSION]]' or a folder, got {type(ref).__name__}")
    ident, name, version = folders.parse_ref(ref)
    local = _local_run_dir(recorder, ident)
    run_id = None
    if local is None:
        from jupyterlab_xp.views.lookup import find_run

        try:
            run = find_run(recorder.store, ident, archived=True)
        except (XpError, StoreError):
            # Not in the store (yet, or the store is away): a local run folder's id?
            local = _local_folder(recorder, ident)
            if local is None:
                raise
        else:
            run_id = run.info.run_id
            # Trusted (may be unpickled) only when the folder's own state names this run: a
            # hostile run can copy another run's xp.local_id tag, not this machine's files.
            local = boundary.local_run_folder(runs_dir, run_id, run.data.tags.get(tags.LOCAL_ID))
    if local is not None:
        index = read_json(local / ARTIFACTS_DIR / tags.CHECKPOINTS_ARTIFACT) or []
        entry = folders.pick(index, name, version, f"run {ident}")
        folder = local / entry["path"]
        if (folder / tags.CHECKPOINT_METADATA).is_file():
            return _Found(folder, True, f"run {ident}", entry, run_id or _read_run_id(local))
        if run_id is None:  # the folder went away: the store still has the run's copy
            run_id = _read_run_id(local)
        if run_id is None:
            raise XpError(f"checkpoint folder {folder} is gone and the run has no store copy")
    assert run_id is not None
    return _download(recorder, run_id, name, version)


def _local_run_dir(recorder: Recorder, ident: str) -> Path | None:
    """This kernel's active or last run's folder when ``ident`` names it (by either id)."""
    ident = ident.lower()
    for run in (recorder.active, recorder.last):
        if run is None:
            continue
        ids = [run.local_id] + ([run.run_id] if run.run_id else [])
        if any(i.startswith(ident) for i in ids):
            return run.dir
    return None


def _local_folder(recorder: Recorder, ident: str) -> Path | None:
    """The run folder whose local id starts with ``ident`` (what a checkpoint saved before
    its run reached the store calls its run)."""
    ident = ident.lower()
    if len(ident) < 6 or not all(c in "0123456789abcdef" for c in ident):
        return None
    matches = [p for p in recorder.location.runs_dir.glob(f"{ident}*") if p.is_dir()]
    return matches[0] if len(matches) == 1 else None


def _read_run_id(run_dir: Path) -> str | None:
    state = read_json(run_dir / STATE_FILE)
    return state.get("run_id") if isinstance(state, dict) else None


def _download(recorder: Recorder, run_id: str, name: str | None, version: int | None) -> _Found:
    """Fetch a checkpoint from the store into ``XP_HOME/cache/checkpoints`` (not trusted)."""
    store = recorder.store
    where = f"run {run_id}"
    text = store.artifacts.read_text(run_id, f"{tags.ARTIFACT_DIR}/{tags.CHECKPOINTS_ARTIFACT}")
    try:
        index = boundary.artifact(tags.CHECKPOINTS_ARTIFACT, text) or []
    except boundary.Unreadable as exc:
        raise XpError(f"{where}: {exc}") from None
    entry = folders.pick(index, name, version, where)
    stamp = folders.check_stamp(Path(entry["path"]).name, where)
    rel = folders.relative_dir(entry["name"], entry["version"], stamp)
    cache = _cache_root(recorder.location) / run_id / rel
    if not cache.is_dir():
        cache.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".download-", dir=cache.parent) as tmp:
            try:
                got = _fetch_listed(store, run_id, rel, Path(tmp))
            except StoreError as exc:
                raise XpError(str(exc)) from None
            shutil.move(str(got), cache)
    return _Found(cache, False, where, entry, run_id, downloaded=True)


def _fetch_listed(store: Any, run_id: str, rel: str, tmp: Path) -> Path:
    """Download the files the checkpoint's manifest lists, each only after the store's listing
    shows the size the manifest declares (a 512 MB file is not fetched to find out); the
    folder's other files are not fetched at all."""
    sizes = store.artifacts.sizes(run_id, rel)
    meta_path = f"{rel}/{tags.CHECKPOINT_METADATA}"
    if sizes.get(meta_path, 0) > boundary.MAX_JSON_BYTES:
        raise XpError(f"checkpoint {rel} of run {run_id}: {tags.CHECKPOINT_METADATA} is too large")
    text = store.artifacts.read_text(run_id, meta_path)
    try:
        meta = boundary.json_value(text, tags.CHECKPOINT_METADATA)
    except boundary.Unreadable as exc:
        raise XpError(f"checkpoint {rel} of run {run_id}: {exc}") from None
    files = meta.get("files") if isinstance(meta, dict) else None
    if text is None or not isinstance(files, dict):
        raise XpError(f"checkpoint {rel} of run {run_id}: no readable {tags.CHECKPOINT_METADATA}")
    folder = tmp / "checkpoint"
    folder.mkdir()
    (folder / tags.CHECKPOINT_METADATA).write_text(text, encoding="utf-8")
    for file_name, expected in files.items():
        if not isinstance(expected, dict) or not folders.is_file_name(file_name):
            raise XpError(f"checkpoint {rel}: bad entry {file_name[:80]!r} in metadata.json")
        listed = sizes.get(f"{rel}/{file_name}")
        if listed is None:
            raise XpError(f"checkpoint file {file_name} is missing from {rel} of run {run_id}")
        small_json = file_name.endswith(".json") and listed <= boundary.MAX_JSON_BYTES
        if listed != expected.get("size") and not small_json:  # (a redacted JSON: verify says)
            raise XpError(
                f"checkpoint file {file_name} is {listed} bytes in the store, metadata.json "
                f"says {str(expected.get('size'))[:20]} (not downloaded)"
            )
        got = store.artifacts.download_dir(run_id, f"{rel}/{file_name}", tmp / "files")
        shutil.move(str(got), folder / file_name)
    return folder


def _cache_root(location: StoreLocation) -> Path:
    return location.home / "cache" / tags.CHECKPOINTS_DIR


def _torch_load(path: Path, trusted: bool, map_location: Any, where: str) -> Any:
    import torch

    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as exc:
        if not trusted:
            raise XpError(
                f"{path.name} of {where} holds objects beyond tensors and plain values; "
                "unpickling them runs code: pass allow_pickle=True if you trust it"
            ) from None
        del exc  # our own run folder: the same trust as the notebook that wrote it
        return torch.load(path, map_location=map_location, weights_only=False)


def _extra(found: _Found, files: dict[str, Any], trusted: bool) -> dict[str, Any]:
    if EXTRA_JSON in files:
        try:  # bounded: a checkpoint from the store is anyone's file
            value = boundary.json_value(
                (found.folder / EXTRA_JSON).read_text(encoding="utf-8"), EXTRA_JSON
            )
        except boundary.Unreadable as exc:
            raise XpError(f"checkpoint of {found.where}: {exc}") from None
        return value if isinstance(value, dict) else {}
    if EXTRA_PICKLE not in files:
        return {}
    if not trusted:
        raise XpError(
            f"the checkpoint's extra of {found.where} is a pickle, and unpickling runs code: "
            "pass allow_pickle=True if you trust it"
        )
    value = pickle.loads((found.folder / EXTRA_PICKLE).read_bytes())  # noqa: S301 (see above)
    return value if isinstance(value, dict) else {}


def _listed_json(found: _Found, files: dict[str, Any], name: str) -> dict[str, Any]:
    """A JSON file of the checkpoint when its manifest lists it (so its sha256 was checked)."""
    if name not in files:
        return {}
    try:
        text = (found.folder / name).read_text(encoding="utf-8")
        value = boundary.json_value(text, name)
    except (OSError, UnicodeDecodeError, boundary.Unreadable) as exc:
        raise XpError(f"checkpoint of {found.where}: {name}: {exc}".splitlines()[0]) from None
    return value if isinstance(value, dict) else {}


def _note_resume(recorder: Recorder, checkpoint: Checkpoint) -> None:
    """Tag the active run with where it resumed from (a journal record, synced as a tag)."""
    run = recorder.active
    if run is None:
        return
    run.record(
        "resume",
        source=checkpoint.ref,
        step=checkpoint.step,
        sha256=file_sha256(checkpoint.path / tags.CHECKPOINT_METADATA),
        tags={tags.RESUMED_FROM: checkpoint.ref},
    )
