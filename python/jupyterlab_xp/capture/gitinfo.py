"""git state of the notebook's repository (and of locally imported modules' repositories).

A repository is untrusted input: its config, its includes and its attributes can name programs
for git to run (filter, diff and textconv drivers, fsmonitor, hooks, pager, editor, ssh,
askpass, credential helpers, gpg). So git is never run here: ``gitread.py`` reads the
repository through libgit2 (pygit2), which runs none of those programs and writes nothing into
the repository, in a child process started without a shell, with a scrubbed environment and a
timeout (see that module for what was checked in libgit2's source). This module turns its answer
into the recorded form: remotes without credentials, diffs capped and redacted. Nothing here
raises: failures become an ``error`` field.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from jupyterlab_xp.capture.gitread import empty_state
from jupyterlab_xp.core.redact import redact_text, strip_url_credentials

GIT_TIMEOUT = 20.0
"""Seconds the reader may take for one capture before it is killed (it runs in the background)."""
_READER = Path(__file__).with_name("gitread.py")
_ERROR_CHARS = 300


def _reader_env() -> dict[str, str]:
    """The kernel's environment without git's and Python's own variables.

    libgit2 does not read ``GIT_DIR``, ``GIT_CONFIG_*``, ``GIT_EXTERNAL_DIFF`` and the like,
    and the reader runs with ``-I``; dropping them anyway keeps the child's input to the request.
    ``HOME`` and ``XDG_CONFIG_HOME`` stay: the user's global config says ``safe.directory``,
    ``core.autocrlf`` and ``core.excludesFile``, which decide what is dirty and what is not.
    """
    return {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PYTHON"))}


def _empty(error: str) -> dict[str, Any]:
    return {**empty_state(), "error": error}


def read_git(
    paths: Sequence[str],
    exclude: Sequence[str] = (),
    max_diff_bytes: int = 256_000,
    timeout: float = GIT_TIMEOUT,
    files: Sequence[str] = (),
) -> tuple[list[dict[str, Any]], str | None]:
    """Raw state of each distinct work tree holding one of ``paths`` (work trees in
    ``exclude`` skipped), read by the child process; ``(repos, None)``, or ``([], error)``
    when the reader failed as a whole (timed out, crashed, could not start). With ``files``,
    only those files' revisions (``gitread.file_revisions``), in each repo's ``files``."""
    request = {
        "files": list(files),
        "paths": list(paths),
        "exclude": list(exclude),
        "max_diff_bytes": max_diff_bytes,
        "ceiling": os.environ.get("GIT_CEILING_DIRECTORIES"),
    }
    try:
        done = subprocess.run(  # our own script, an argument list, no shell
            [sys.executable, "-I", "-B", str(_READER)],
            input=json.dumps(request).encode(),
            capture_output=True,
            env=_reader_env(),
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [], f"git state not read within {timeout:g} s"
    except OSError as exc:
        return [], f"git reader could not start: {exc}"
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        why = lines[-1] if lines else f"exit status {done.returncode}"
        return [], redact_text(f"git reader failed: {why}")[:_ERROR_CHARS]
    try:
        repos = json.loads(done.stdout)["repos"]
    except (ValueError, KeyError, TypeError):
        return [], "git reader gave no answer"
    return [r for r in repos if isinstance(r, dict)], None


def _recorded(raw: dict[str, Any], max_diff_bytes: int) -> dict[str, Any]:
    """The reader's answer for one repository as it is recorded: no credentials in the remote,
    the diff capped and redacted, errors short."""
    info = {k: v for k, v in raw.items() if k != "from"}
    url = info.get("remote_url")
    info["remote_url"] = strip_url_credentials(url.strip()) if isinstance(url, str) else None
    diff = info.get("diff")
    diff = diff if isinstance(diff, str) else ""
    truncated = bool(info.get("diff_truncated"))
    encoded = diff.encode()
    if len(encoded) > max_diff_bytes:
        diff, truncated = encoded[:max_diff_bytes].decode("utf-8", errors="ignore"), True
    info["diff"], info["diff_truncated"] = redact_text(diff), truncated
    if info.get("error"):
        info["error"] = redact_text(str(info["error"]))[:_ERROR_CHARS]
    return info


def _maybe_in_work_tree(folder: Path) -> bool:
    """False only when no folder from ``folder`` up holds a ``.git`` (then there is no work
    tree to read, and no child process is started)."""
    return any((p / ".git").exists() for p in (folder, *folder.parents))


def capture_git(
    path: Path, max_diff_bytes: int = 256_000, timeout: float = GIT_TIMEOUT
) -> dict[str, Any] | None:
    """State of the git work tree containing ``path``, or None outside one.

    Returns:
        ``toplevel``, ``commit``, ``branch`` (None when detached), ``remote`` and
        ``remote_url`` (without credentials), ``dirty``, ``untracked`` (count), ``diff``
        (``git diff HEAD``, capped at ``max_diff_bytes``, secrets redacted) and
        ``diff_truncated``; ``error`` when the state could not be read in full.
    """
    folder = (path if path.is_dir() else path.parent).resolve()
    if not _maybe_in_work_tree(folder):
        return None
    repos, error = read_git([str(folder)], max_diff_bytes=max_diff_bytes, timeout=timeout)
    if error is not None:
        return _empty(error)
    return _recorded(repos[0], max_diff_bytes) if repos else None


def file_revision(file: Path, timeout: float = GIT_TIMEOUT) -> dict[str, Any] | None:
    """``{commit, status}`` of one file in its git work tree (see ``gitread.file_revisions``),
    None outside one, ``{error}`` when it could not be read."""
    file = file.resolve()
    if not _maybe_in_work_tree(file.parent):
        return None
    repos, error = read_git([str(file.parent)], timeout=timeout, files=[str(file)])
    if error is not None:
        return {"error": error}
    if not repos:
        return None
    if repos[0].get("error"):
        return {"error": redact_text(str(repos[0]["error"]))[:_ERROR_CHARS]}
    found = (repos[0].get("files") or {}).get(str(file))
    return found if isinstance(found, dict) else None


def _is_library(file: str, library_roots: tuple[str, ...]) -> bool:
    return file.startswith(library_roots) or "site-packages" in file or "dist-packages" in file


def capture_git_for_modules(
    module_files: Iterable[str],
    exclude_toplevel: str | None = None,
    timeout: float = GIT_TIMEOUT,
) -> list[dict[str, Any]]:
    """git state of each repository holding a locally imported module (once per repository).

    Library code (stdlib, site-packages) is skipped, as is the notebook's own repository. Each
    entry is :func:`capture_git`'s, plus ``modules_from`` (the first module folder found in
    it); when the reader fails as a whole, one entry carries the ``error``.
    """
    roots = tuple(
        str(Path(p).resolve())
        for key in ("stdlib", "platstdlib", "purelib", "platlib")
        if (p := sysconfig.get_paths().get(key))
    )
    folders: list[str] = []
    for file in module_files:
        if not file.endswith(".py") or _is_library(file, roots):
            continue
        folder = Path(file).resolve().parent
        if str(folder) not in folders and _maybe_in_work_tree(folder):
            folders.append(str(folder))
    if not folders:
        return []
    exclude = [str(Path(exclude_toplevel).resolve())] if exclude_toplevel else []
    repos, error = read_git(folders, exclude, timeout=timeout)
    if error is not None:
        return [{**_empty(error), "modules_from": None}]
    return [{**_recorded(r, 256_000), "modules_from": r.get("from")} for r in repos]
