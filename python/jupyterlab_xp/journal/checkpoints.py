"""Checkpoint folders on disk: their layout, the checksum manifest, versions and the run's index.

A checkpoint is a folder ``checkpoints/{name}/{version}/{timestamp}/`` (in the run folder, and
at the same path among the run's artifacts) whose ``metadata.json`` lists the sha256 and size of
every other file in it. Nothing here knows torch or MLflow: this is plain files and hashes.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.config import private_dir
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.files import file_sha256, read_json, write_json_atomic
from jupyterlab_xp.core.secrets import REDACTED

FORMAT = 1  # metadata.json's "format": bumped when a reader could misread a newer folder
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_STAMP = re.compile(r"^\d{8}T\d{6}\d{0,6}Z$")


def validate_name(name: str) -> str:
    """A checkpoint name: letters, digits, ``_ . -``, 1 to 100 characters (it is a folder)."""
    if not isinstance(name, str) or not _NAME.match(name) or ".." in name:
        raise XpError(
            f"checkpoint name must be 1 to 100 letters, digits, '_', '.' or '-', got {name!r}"
        )
    return name


def is_file_name(name: str) -> bool:
    """A name a manifest may list: a plain file in the checkpoint folder, not hidden."""
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".")


def check_stamp(stamp: str, where: str) -> str:
    """A checkpoint folder's timestamp as the index names it (it becomes a path)."""
    if not _STAMP.fullmatch(stamp):
        raise XpError(f"{where}: a checkpoint path ends in {stamp[:40]!r}, not a timestamp")
    return stamp


def manifest(folder: Path) -> dict[str, dict[str, Any]]:
    """``{file name: {"sha256", "size"}}`` for every file in ``folder`` but the metadata."""
    return {
        path.name: {"sha256": file_sha256(path), "size": path.stat().st_size}
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name != tags.CHECKPOINT_METADATA
    }


def relative_dir(name: str, version: int, stamp: str) -> str:
    """``checkpoints/{name}/{version}/{timestamp}``: the folder in the run folder and artifacts."""
    return f"{tags.CHECKPOINTS_DIR}/{validate_name(name)}/{int(version)}/{stamp}"


def versions(run_dir: Path, name: str) -> list[int]:
    """The versions of checkpoint ``name`` in a run folder, ascending."""
    parent = run_dir / tags.CHECKPOINTS_DIR / validate_name(name)
    if not parent.is_dir():
        return []
    return sorted(int(p.name) for p in parent.iterdir() if p.name.isdigit() and p.is_dir())


def next_version(run_dir: Path, name: str) -> int:
    """The version the next checkpoint called ``name`` gets in this run (1, 2, ...)."""
    found = versions(run_dir, name)
    return found[-1] + 1 if found else 1


def publish(staging: Path, run_dir: Path, rel: str) -> Path:
    """Move a complete staging folder to ``run_dir/rel`` in one rename (no torn checkpoint)."""
    final = run_dir / rel
    private_dir(final.parent, top=run_dir)  # checkpoints/{name}/ too, whatever the umask
    staging.rename(final)
    return final


def staging_dir(run_dir: Path) -> Path:
    """A private temporary folder beside the checkpoints (same file system: rename works)."""
    root = run_dir / tags.CHECKPOINTS_DIR
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return Path(tempfile.mkdtemp(prefix=".staging-", dir=root))


def discard(staging: Path) -> None:
    """Remove a staging folder after a failed save."""
    shutil.rmtree(staging, ignore_errors=True)


def verify(folder: Path) -> dict[str, Any]:
    """Read ``metadata.json`` and check every file it lists, before anything is loaded.

    Returns:
        The metadata.

    Raises:
        XpError: metadata missing or unreadable, a file missing, truncated or changed (named).
    """
    meta_path = folder / tags.CHECKPOINT_METADATA
    meta = read_json(meta_path)
    if not isinstance(meta, dict) or not isinstance(meta.get("files"), dict):
        raise XpError(f"checkpoint {folder}: {tags.CHECKPOINT_METADATA} is missing or unreadable")
    fmt = meta.get("format", 0)
    if not isinstance(fmt, int) or isinstance(fmt, bool):
        raise XpError(f"checkpoint {folder}: metadata.json's format is not a number")
    if fmt > FORMAT:
        raise XpError(f"checkpoint {folder} was written by a newer jupyterlab-xp (format {fmt})")
    for file_name, expected in meta["files"].items():
        if not isinstance(expected, dict) or not is_file_name(file_name):
            raise XpError(f"checkpoint {folder}: bad entry {file_name!r} in metadata.json")
        path = folder / file_name
        if not path.is_file():
            raise XpError(f"checkpoint file {file_name} is missing from {folder}")
        size = path.stat().st_size
        if size == expected.get("size") and file_sha256(path) == expected.get("sha256"):
            continue
        if path.suffix == ".json" and REDACTED.encode() in path.read_bytes():
            raise XpError(
                f"checkpoint file {file_name} fails its sha256 check (a secret in it was "
                f"redacted on its way to the store; load it where the run was recorded): {path}"
            )
        if size != expected.get("size"):
            raise XpError(
                f"checkpoint file {file_name} is {size} bytes, metadata.json says "
                f"{expected.get('size')} (truncated or changed): {path}"
            )
        raise XpError(f"checkpoint file {file_name} fails its sha256 check (changed): {path}")
    return meta


def index_entry(meta: dict[str, Any], rel: str, meta_sha256: str) -> dict[str, Any]:
    """What the run's checkpoint index (and the run detail) says about one checkpoint."""
    return {
        "name": meta["name"],
        "version": meta["version"],
        "timestamp": meta["timestamp"],
        "step": meta.get("step"),
        "path": rel,
        "size": sum(int(f["size"]) for f in meta["files"].values()),
        "sha256": meta_sha256,
    }


def add_to_index(index_path: Path, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """Append ``entry`` to the run's ``checkpoints.json`` (rewritten atomically)."""
    found = read_json(index_path)
    entries = [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []
    entries.append(entry)
    write_json_atomic(index_path, entries)
    return entries


def pick(entries: list[Any], name: str | None, version: int | None, where: str) -> dict[str, Any]:
    """The index entry for ``name``/``version``: default name = the last one checkpointed,
    default version = the latest.

    Raises:
        XpError: no checkpoints, or none with that name or version.
    """
    clean = [
        e
        for e in entries
        if isinstance(e, dict)
        and isinstance(e.get("name"), str)
        and isinstance(e.get("version"), int)
        and isinstance(e.get("path"), str)
    ]
    if not clean:
        raise XpError(f"{where} has no checkpoints")
    if name is None:
        name = clean[-1]["name"]
    same = [e for e in clean if e["name"] == name]
    if not same:
        names = sorted({e["name"] for e in clean})
        raise XpError(f"{where} has no checkpoint {name!r} (it has {', '.join(names)})")
    if version is None:
        return max(same, key=lambda e: e["version"])
    for entry in same:
        if entry["version"] == version:
            return entry
    have = ", ".join(str(e["version"]) for e in same)
    raise XpError(f"{where} has no version {version} of checkpoint {name!r} (it has {have})")


def parse_ref(ref: str) -> tuple[str, str | None, int | None]:
    """``"RUN[:NAME[:VERSION]]"`` to ``(run, name, version)``.

    Raises:
        XpError: an empty part or a version that is not a positive integer.
    """
    parts = ref.split(":")
    if len(parts) > 3 or not parts[0]:
        raise XpError(f"expected RUN[:NAME[:VERSION]] or a checkpoint folder, got {ref!r}")
    name = validate_name(parts[1]) if len(parts) > 1 and parts[1] else None
    version: int | None = None
    if len(parts) == 3 and parts[2]:
        if not parts[2].isdigit() or int(parts[2]) < 1:
            raise XpError(f"checkpoint version must be a positive integer, got {parts[2]!r}")
        version = int(parts[2])
    return parts[0], name, version


def metadata_text(meta: dict[str, Any]) -> str:
    """metadata.json as written (sorted keys: the same metadata always hashes the same)."""
    return json.dumps(meta, indent=2, sort_keys=True, default=str) + "\n"
