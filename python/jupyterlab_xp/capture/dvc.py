"""DVC provenance of a declared dataset: the pointer's hash, its remote, the pointer's revision.

A path is DVC-tracked when a ``.dvc`` file beside it (or beside a folder above it) lists it as
an output, or when a stage in a ``dvc.lock`` (in its folder or one above, up to the DVC
repository's root) names it among its ``outs``. A stage's output in ``dvc.yaml`` that no
``dvc.lock`` entry has yet (the pipeline never ran ``dvc repro`` or ``dvc commit``) is recorded
by its stage, without a hash, and said to be not locked. Those YAML files and
``.dvc/config`` are read as data: ``dvc`` never runs, and nothing in a repository's config
chooses a program (a remote is only named, never contacted). A remote URL is recorded without
its user, password or secret query parameters; the git revision comes from ``gitinfo``'s
libgit2 reader, which runs nothing.
"""

from __future__ import annotations

import configparser
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import yaml

from jupyterlab_xp.capture.gitinfo import file_revision
from jupyterlab_xp.core.redact import strip_url_credentials

MAX_POINTER_BYTES = 4 << 20  # a dvc.lock of a large pipeline is kilobytes to a few MiB
_HASH_KEYS = ("md5", "etag", "checksum")  # DVC's hash fields, local first, then cloud
NOT_LOCKED = "not locked: no hash"  # a dvc.yaml output that dvc repro / dvc commit never hashed


def find_dvc_root(path: Path) -> Path | None:
    """The nearest folder at or above ``path`` that holds a ``.dvc/`` folder (a DVC repository)."""
    for folder in (path if path.is_dir() else path.parent, *path.parents):
        if (folder / ".dvc").is_dir():
            return folder
    return None


def _load_yaml(file: Path) -> Any:
    if file.stat().st_size > MAX_POINTER_BYTES:
        raise ValueError(f"{file.name} is larger than {MAX_POINTER_BYTES >> 20} MiB")
    with file.open("rb") as fh:
        return yaml.safe_load(fh)


def _out_for(outs: Any, base: Path, path: Path) -> dict[str, Any] | None:
    """The output of ``outs`` (paths relative to ``base``) that is ``path`` or a folder above it."""
    for out in outs if isinstance(outs, list) else []:
        if not isinstance(out, dict) or not isinstance(out.get("path"), str):
            continue
        target = Path(os.path.normpath(base / out["path"]))
        if path == target or target in path.parents:
            return out
    return None


def _yaml_outs(body: Any, folder: Path) -> tuple[Any, Path]:
    """A ``dvc.yaml`` stage's ``outs`` as ``dvc.lock`` writes them (``[{path: ...}]``) and the
    folder they are relative to (its ``wdir``). An output is a path or a one-key mapping of the
    path to its options; a templated one (``${...}``, ``foreach``) is left out: only running DVC
    would resolve it."""
    if not isinstance(body, dict):
        return None, folder
    wdir = body.get("wdir")
    base = folder / wdir if isinstance(wdir, str) and "${" not in wdir else folder
    outs = []
    given = body.get("outs")
    for out in given if isinstance(given, list) else []:
        if isinstance(out, dict) and len(out) == 1:
            out = next(iter(out))
        if isinstance(out, str) and "${" not in out:
            outs.append({"path": out})
    return outs, base


def _stage_out(folder: Path, path: Path) -> tuple[Path, str, dict[str, Any]] | None:
    """``(dvc.lock or dvc.yaml, stage, output)`` of ``folder``'s pipeline that is ``path``: a
    locked output first, then a stage's output not locked yet. ``dvc.lock`` paths are relative
    to their stage's ``wdir``, which only ``dvc.yaml`` says."""
    stages: dict[str, dict[str, Any]] = {}
    for name in ("dvc.yaml", "dvc.lock"):
        file = folder / name
        document = _load_yaml(file) if file.is_file() else None
        found = document.get("stages") if isinstance(document, dict) else None
        stages[name] = found if isinstance(found, dict) else {}
    bases = {str(k): _yaml_outs(body, folder) for k, body in stages["dvc.yaml"].items()}
    for stage, body in stages["dvc.lock"].items():
        base = bases.get(str(stage), (None, folder))[1]
        out = _out_for(body.get("outs") if isinstance(body, dict) else None, base, path)
        if out is not None:
            return folder / "dvc.lock", str(stage), out
    for stage, (outs, base) in bases.items():
        out = _out_for(outs, base, path)
        if out is not None:
            return folder / "dvc.yaml", stage, out
    return None


def _pointer(path: Path, root: Path) -> tuple[Path, str | None, dict[str, Any]] | None:
    """``(pointer file, stage or None, its output)`` that tracks ``path``, nearest first; in
    each folder a ``dvc.lock`` entry before a ``dvc.yaml`` stage not locked yet."""
    for tracked in (path, *path.parents):
        if tracked == root or root not in tracked.parents:
            break
        file = tracked.with_name(tracked.name + ".dvc")
        if file.is_file():
            document = _load_yaml(file)
            out = _out_for(
                document.get("outs") if isinstance(document, dict) else None, file.parent, path
            )
            if out is not None:
                return file, None, out
    for folder in (path.parent, *path.parent.parents):
        found = _stage_out(folder, path)
        if found is not None:
            return found
        if folder == root:
            break
    return None


def _read_config(root: Path) -> configparser.ConfigParser:
    """``.dvc/config`` with ``config.local`` over it (the local file holds per-machine remotes)."""
    config = configparser.ConfigParser(interpolation=None, strict=False)
    for name in ("config", "config.local"):
        file = root / ".dvc" / name
        if file.is_file() and file.stat().st_size <= MAX_POINTER_BYTES:
            config.read_string(file.read_text(encoding="utf-8", errors="replace"))
    return config


def _remote(config: configparser.ConfigParser, name: str | None) -> tuple[str | None, str | None]:
    """The remote's name (the output's own, else the default) and its URL without credentials."""
    if name is None and config.has_section("core"):
        name = config["core"].get("remote")
    name = name.strip().strip("'\"") if name else None
    if not name:
        return None, None
    for section in config.sections():  # ['remote "name"'], quoted as configobj writes it
        if section.strip("'\"").replace('"', "").split() == ["remote", name]:
            url = config[section].get("url")
            return name, without_userinfo(url.strip().strip("'\"")) if url else None
    return name, None


def without_userinfo(url: str) -> str:
    """``url`` without a user, password or secret query parameter (``ssh://u@host/p`` too)."""
    url = strip_url_credentials(url)
    parts = urlsplit(url)
    if parts.scheme and "@" in parts.netloc:
        return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    return url


def dvc_provenance(path: Path) -> dict[str, Any] | None:
    """What DVC says of ``path``, or None when no DVC pointer tracks it.

    Returns:
        ``pointer`` (the ``.dvc``, ``dvc.lock`` or ``dvc.yaml`` file, relative to the DVC root),
        ``stage`` (for a stage's output), ``out`` (the output's path), ``hash`` (its md5, or a
        cloud etag), ``hash_name`` (``md5`` for DVC 3, ``md5-dos2unix`` for DVC 2 pointers),
        ``size``, ``nfiles``, ``remote`` and ``remote_url`` (no credentials), and the pointer's
        ``git``: ``commit`` (the last commit that changed it) and ``status`` (committed,
        modified, untracked); ``note`` for a ``dvc.yaml`` output not locked (no hash);
        ``error`` when a file could not be read.
    """
    # Not resolve(): DVC's symlink cache mode links a tracked file into .dvc/cache, where no
    # pointer is beside it.
    path = Path(os.path.abspath(path.expanduser()))  # noqa: PTH100
    root = find_dvc_root(path)
    if root is None:
        return None
    try:
        found = _pointer(path, root)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        return {"error": f"DVC pointer unreadable: {str(exc)[:200]}"}
    if found is None:
        return None
    file, stage, out = found
    hash_key = next((k for k in _HASH_KEYS if isinstance(out.get(k), str | int)), None)
    info: dict[str, Any] = {
        "pointer": file.relative_to(root).as_posix(),
        "stage": stage,
        "out": str(out["path"]),
        "hash": str(out[hash_key]) if hash_key else None,
        "hash_name": str(out.get("hash") or ("md5-dos2unix" if hash_key == "md5" else hash_key)),
        "size": out.get("size") if isinstance(out.get("size"), int) else None,
        "nfiles": out.get("nfiles") if isinstance(out.get("nfiles"), int) else None,
    }
    if file.name == "dvc.yaml":  # a stage's output that no dvc.lock has hashed yet
        info.update(hash_name=None, note=NOT_LOCKED)
    try:
        remote = out.get("remote") if isinstance(out.get("remote"), str) else None
        info["remote"], info["remote_url"] = _remote(_read_config(root), remote)
    except (OSError, configparser.Error) as exc:
        info["remote"] = info["remote_url"] = None
        info["error"] = f".dvc/config unreadable: {str(exc)[:200]}"
    info["git"] = file_revision(file)
    return info
