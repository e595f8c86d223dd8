"""git state of the notebook's repository (and of locally imported modules' repositories).

A repository is untrusted input: its config can name programs for git to run (fsmonitor,
external diff, textconv, hooks). Every call here switches those off, runs without a shell and
with a timeout, and never raises: failures become an ``error`` field.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jupyterlab_xp.core.redact import redact_text, strip_url_credentials

GIT_TIMEOUT = 5.0
SAFE_CONFIG = (
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.untrackedCache=false",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "diff.external=",
    "-c",
    "core.pager=cat",
    "-c",
    "protocol.allow=never",
    "-c",
    "credential.helper=",
)
_SAFE_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",  # a status must not take the index lock from the user
    "GIT_PAGER": "cat",
    "GIT_EXTERNAL_DIFF": "",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
}


def _git(cwd: Path, *args: str) -> str | None:
    exe = shutil.which("git")
    if exe is None:
        return None
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(_SAFE_ENV)
    try:
        done = subprocess.run(
            [exe, *SAFE_CONFIG, "--no-pager", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", errors="replace")


def capture_git(path: Path, max_diff_bytes: int = 256_000) -> dict[str, Any] | None:
    """State of the git work tree containing ``path``, or None outside one.

    Returns:
        ``toplevel``, ``commit``, ``branch`` (None when detached), ``remote_url`` (without
        credentials), ``dirty``, ``untracked`` (count), ``diff`` (against HEAD, capped at
        ``max_diff_bytes``, secrets redacted) and ``diff_truncated``.
    """
    cwd = path if path.is_dir() else path.parent
    top = _git(cwd, "rev-parse", "--show-toplevel")
    if not top:
        return None
    toplevel = Path(top.strip())
    info: dict[str, Any] = {"toplevel": str(toplevel)}
    commit = _git(toplevel, "rev-parse", "--verify", "--quiet", "HEAD")
    info["commit"] = commit.strip() if commit else None
    branch = _git(toplevel, "symbolic-ref", "--quiet", "--short", "HEAD")
    info["branch"] = branch.strip() if branch else None
    remotes = (_git(toplevel, "remote") or "").split()
    remote = "origin" if "origin" in remotes else (remotes[0] if remotes else None)
    url = _git(toplevel, "config", "--get", f"remote.{remote}.url") if remote else None
    info["remote"] = remote
    info["remote_url"] = strip_url_credentials(url.strip()) if url else None
    status = _git(toplevel, "status", "--porcelain", "--untracked-files=normal")
    lines = status.splitlines() if status is not None else []
    info["untracked"] = sum(1 for ln in lines if ln.startswith("??"))
    info["dirty"] = any(not ln.startswith("??") for ln in lines)
    diff = ""
    if info["commit"] and info["dirty"]:
        diff = _git(toplevel, "diff", "--no-ext-diff", "--no-textconv", "--no-color", "HEAD") or ""
    encoded = diff.encode()
    info["diff_truncated"] = len(encoded) > max_diff_bytes
    if info["diff_truncated"]:
        diff = encoded[:max_diff_bytes].decode("utf-8", errors="ignore")
    info["diff"] = redact_text(diff)
    if status is None:
        info["error"] = "git status failed"
    return info


def _is_library(file: str, library_roots: tuple[str, ...]) -> bool:
    return file.startswith(library_roots) or "site-packages" in file or "dist-packages" in file


def capture_git_for_modules(
    module_files: Iterable[str], exclude_toplevel: str | None = None
) -> list[dict[str, Any]]:
    """git state of each repository holding a locally imported module (once per repository).

    Library code (stdlib, site-packages) is skipped, as is the notebook's own repository.
    """
    roots = tuple(
        str(Path(p).resolve())
        for key in ("stdlib", "platstdlib", "purelib", "platlib")
        if (p := sysconfig.get_paths().get(key))
    )
    seen_dirs: set[Path] = set()
    seen_tops: set[str] = {exclude_toplevel} if exclude_toplevel else set()
    found: list[dict[str, Any]] = []
    for file in module_files:
        if not file.endswith(".py") or _is_library(file, roots):
            continue
        folder = Path(file).resolve().parent
        if folder in seen_dirs:
            continue
        seen_dirs.add(folder)
        top = _git(folder, "rev-parse", "--show-toplevel")
        if not top or top.strip() in seen_tops:
            continue
        seen_tops.add(top.strip())
        repo = capture_git(folder)
        if repo is not None:
            repo["modules_from"] = str(folder)
            found.append(repo)
    return found
