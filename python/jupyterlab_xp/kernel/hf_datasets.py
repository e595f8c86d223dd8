"""Hugging Face ``datasets`` objects given to ``xp.dataset``: fingerprint, config, splits, revision.

``datasets`` is never imported here: an object is one only when the user has imported it
already (it is in ``sys.modules``). A dataset loaded from the Hub names the commit its files
were read at in their ``hf://datasets/REPO@SHA/`` URLs; whether the user pinned it is known only
from the call, so ``load_dataset`` is wrapped once it is imported in a recording kernel (as
``hydra.compose`` is): it notes the revision it was asked for on what it returns and, while a
run records, declares it as ``xp.dataset`` would (a later ``xp.dataset`` of it adds no input).
Describing costs attribute reads only (``datasets`` has computed the fingerprints), and the
record is one journal line: the call's cost is unchanged.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
import re
import sys
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.kernel.seeds import _PostImportFinder, rebind_wrapped

REQUESTED = "_xp_requested_revision"  # set on what a wrapped load_dataset returns
_HUB_FILE = re.compile(r"hf://datasets/(?P<repo>[^@\s]+)@(?P<sha>[0-9a-f]{40})/")
_COMMIT = re.compile(r"[0-9a-f]{40}")
MAX_SPLITS = 64
_NAME_CHAR = re.compile(r"[^A-Za-z0-9_\-. :/]")
_WARNED: set[str] = set()  # what the load_dataset wrapper has said in this process: once each


def is_hf_dataset(obj: object) -> bool:
    """True for a ``datasets.Dataset`` or ``DatasetDict`` (only when ``datasets`` is imported)."""
    module = sys.modules.get("datasets")
    kinds = tuple(
        k for k in (getattr(module, "Dataset", None), getattr(module, "DatasetDict", None)) if k
    )
    return bool(kinds) and isinstance(obj, kinds)


def _splits(obj: Any) -> dict[str, Any]:
    if isinstance(obj, Mapping):  # a DatasetDict
        return {str(name): split for name, split in list(obj.items())[:MAX_SPLITS]}
    return {str(obj.split) if obj.split is not None else "data": obj}


def _hub_file(splits: dict[str, Any]) -> re.Match[str] | None:
    for split in splits.values():
        for url in getattr(split.info, "download_checksums", None) or {}:
            found = _HUB_FILE.match(str(url))
            if found:
                return found
    return None


def describe(obj: Any) -> dict[str, Any]:
    """What is recorded of a ``datasets`` object.

    Returns:
        ``digest`` (a Dataset's fingerprint; a DatasetDict's sha256 over its splits'),
        ``fingerprints`` and ``splits`` (rows) per split, ``config_name``, ``dataset_name``, and
        for a Hub dataset ``repo``, ``revision`` (the commit its files were read at) and
        ``pinned`` (whether ``load_dataset`` was given that commit; None when not seen).

    Raises:
        XpError: ``obj`` is not a ``datasets.Dataset`` or ``DatasetDict``.
    """
    if not is_hf_dataset(obj):
        raise XpError(
            f"xp.dataset takes a path or a Hugging Face datasets object, not {type(obj).__name__}"
        )
    splits = _splits(obj)
    fingerprints = {name: str(getattr(s, "_fingerprint", "")) for name, s in splits.items()}
    if isinstance(obj, Mapping):
        lines = "".join(f"{n}\0{fingerprints[n]}\n" for n in sorted(fingerprints))
        digest = hashlib.sha256(lines.encode()).hexdigest()
    else:
        digest = next(iter(fingerprints.values()))
    first = next(iter(splits.values()), None)
    info = getattr(first, "info", None)
    hub = _hub_file(splits)
    requested = getattr(obj, REQUESTED, None)
    pinned = None
    if hub is not None and requested is not None:
        pinned = bool(_COMMIT.fullmatch(str(requested[1]))) if requested[1] else False
    return {
        "digest": digest,
        "fingerprints": fingerprints,
        "splits": {name: int(s.num_rows) for name, s in splits.items()},
        "config_name": getattr(info, "config_name", None),
        "dataset_name": getattr(info, "dataset_name", None),
        "repo": hub["repo"] if hub else (requested[0] if requested else None),
        "revision": hub["sha"] if hub else None,
        "pinned": pinned,
    }


def load_name(given: Mapping[str, Any]) -> str:
    """The name a ``load_dataset`` call's dataset is recorded under: the Hub repository
    (``org/name``), a local folder's name, or for a packaged builder (``csv``, ``json``,
    ``imagefolder``, ...) its one data file's or its ``data_dir``'s name; ``:config`` when a
    config was asked for."""
    path = str(given.get("path") or "dataset")
    files = given.get("data_files")
    if not isinstance(files, str | os.PathLike):
        files = given.get("data_dir")
    if os.path.exists(path):  # noqa: PTH110 (a str from the user's call)
        base = os.path.basename(os.path.normpath(path))  # noqa: PTH119
    elif "/" not in path and isinstance(files, str | os.PathLike):
        base = os.path.basename(os.path.normpath(os.fspath(files))) or path  # noqa: PTH119
    else:
        base = path
    config = given.get("name")
    name = f"{base}:{config}" if isinstance(config, str) and config else base
    name = "/".join(p for p in _NAME_CHAR.sub("_", name).split("/") if p not in ("", ".", ".."))
    return name[:200] or "dataset"


def watch_load_dataset(owner: Callable[[], Any]) -> None:
    """Wrap ``datasets.load_dataset`` (once per process, at once or when it is imported):
    each call notes the revision it asked for, and is declared in the run ``owner()`` (a
    recorder) is recording, if any."""
    module = sys.modules.get("datasets")
    if module is not None:
        _wrap_load(module, owner)
        namespace = getattr(getattr(owner(), "shell", None), "user_ns", None)
        rebind_wrapped(namespace, getattr(module, "load_dataset", None))
    elif not any(getattr(f, "xp_datasets", False) for f in sys.meta_path):
        finder = _PostImportFinder({"datasets": lambda m: _wrap_load(m, owner)})
        finder.xp_datasets = True  # type: ignore[attr-defined]
        sys.meta_path.insert(0, finder)


def _say_once(message: str) -> None:
    if message not in _WARNED:
        _WARNED.add(message)
        print(f"xp: {message}", file=sys.stderr)


def _declare(loaded: Any, given: Mapping[str, Any], owner: Callable[[], Any]) -> None:
    """Note the call on what it returned and declare it in the active run, if one records."""
    note = (str(given.get("path")), given.get("revision"))
    for obj in (loaded, *(loaded.values() if isinstance(loaded, Mapping) else ())):
        setattr(obj, REQUESTED, note)
    run = owner().active
    if run is None:
        return
    if not is_hf_dataset(loaded):  # streaming: no fingerprint, nothing to say what was read
        _say_once(f"a streaming {type(loaded).__name__} is not recorded; xp.dataset of a "
                  "Dataset read from the same files is")  # fmt: skip
        return
    run.hf_dataset(describe(loaded), load_name(given), "training")


def _wrap_load(module: ModuleType, owner: Callable[[], Any]) -> None:
    original = getattr(module, "load_dataset", None)
    if not callable(original) or hasattr(original, "__xp_original__"):
        return
    signature = inspect.signature(original)

    @functools.wraps(original)
    def load_dataset(*args: Any, **kwargs: Any) -> Any:
        loaded = original(*args, **kwargs)
        try:
            _declare(loaded, signature.bind_partial(*args, **kwargs).arguments, owner)
        except Exception as exc:  # the recorder never breaks the user's call
            _say_once(f"this load_dataset is not recorded: {type(exc).__name__}: {exc}"[:300])
        return loaded

    load_dataset.__xp_original__ = original  # type: ignore[attr-defined]
    module.load_dataset = load_dataset  # type: ignore[attr-defined]
