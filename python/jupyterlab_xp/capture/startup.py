"""What ``%xp start`` captures once, in the background: files under ``xp/`` and summary tags.

Each capture is independent: one that fails is reported in ``errors`` and the rest still land.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.files import write_atomic, write_json_atomic


@dataclass
class CaptureResult:
    """Files written (names inside the artifacts folder), summary tags, and failures."""

    files: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def capture_all(
    artifacts: Path,
    notebook: Path | None,
    module_files: list[str] | None = None,
    sys_path: list[str] | None = None,
) -> CaptureResult:
    """Write environment, lock file, hardware and git captures into ``artifacts``.

    Args:
        artifacts: the run's artifacts folder.
        notebook: the notebook recorded, if known (its repository is the run's).
        module_files: the recording process's imported modules' files (default: this
            process's), whose repositories are captured too.
        sys_path: where the recording process finds its packages (default: ``sys.path``).
    """
    result = CaptureResult()
    steps: list[tuple[str, Callable[[Path, CaptureResult], None]]] = [
        ("environment", lambda out, res: _environment(out, res, sys_path)),
        ("hardware", _hardware),
        ("git", lambda out, res: _git(out, res, notebook, module_files)),
        ("project lock", lambda out, res: _project_lock(out, res, notebook)),
    ]
    for name, step in steps:
        try:
            step(artifacts, result)
        except Exception as exc:  # a capture bug must not cost the run its other captures
            result.errors[name] = f"{type(exc).__name__}: {exc}"
    return result


def _environment(out: Path, result: CaptureResult, sys_path: list[str] | None) -> None:
    from jupyterlab_xp.capture.environment import capture_environment, requirements_lock

    env = capture_environment(sys_path)
    write_json_atomic(out / tags.ENVIRONMENT_ARTIFACT, env)
    write_atomic(out / tags.LOCK_ARTIFACT, requirements_lock(env["packages"]))
    result.files += [tags.ENVIRONMENT_ARTIFACT, tags.LOCK_ARTIFACT]
    python = env.get("python", {})
    platform = env.get("platform", {})
    result.tags[tags.PYTHON] = str(python.get("version", ""))
    result.tags[tags.PLATFORM] = " ".join(
        str(platform.get(k, "")) for k in ("system", "release", "machine")
    ).strip()
    result.tags[tags.CONTAINER] = str(env.get("container") or "none")
    result.tags[tags.PACKAGES] = str(len(env["packages"]))


def _project_lock(out: Path, result: CaptureResult, notebook: Path | None) -> None:
    from jupyterlab_xp.capture.project_lock import copy_project_lock

    where = notebook.parent if notebook is not None else Path.cwd()
    copied = copy_project_lock(where, out, tags.PROJECT_LOCK_PREFIX)
    if copied is not None:
        result.files.append(copied[0])
        result.tags[tags.PROJECT_LOCK] = copied[1]


def imported_module_files() -> list[str]:
    """The files of this process's imported modules (what the git capture looks at)."""
    files = [getattr(m, "__file__", None) for m in list(sys.modules.values())]
    return [f for f in files if isinstance(f, str)]


def _hardware(out: Path, result: CaptureResult) -> None:
    from jupyterlab_xp.capture.hardware import capture_hardware

    hw = capture_hardware()
    write_json_atomic(out / tags.HARDWARE_ARTIFACT, hw)
    result.files.append(tags.HARDWARE_ARTIFACT)
    gpus = hw.get("gpus", [])
    names = sorted({str(g.get("name")) for g in gpus})
    result.tags[tags.GPU] = f"{len(gpus)} x {', '.join(names)}" if gpus else "none"
    cpu = hw.get("cpu", {})
    result.tags[tags.CPU] = f"{cpu.get('model', 'unknown')} ({cpu.get('logical_cores', '?')} cores)"
    torch_info = hw.get("torch") or {}
    if torch_info.get("version"):
        result.tags[tags.TORCH] = str(torch_info["version"])


def _git(
    out: Path, result: CaptureResult, notebook: Path | None, module_files: list[str] | None
) -> None:
    from jupyterlab_xp.capture.gitinfo import capture_git, capture_git_for_modules

    where = notebook.parent if notebook is not None else Path.cwd()
    repo = capture_git(where)
    files = module_files if module_files is not None else imported_module_files()
    modules = capture_git_for_modules(
        files,
        exclude_toplevel=repo.get("toplevel") if repo else None,
    )
    info = {"repository": repo, "modules": modules}
    diff = (repo or {}).pop("diff", None)
    write_json_atomic(out / tags.GIT_ARTIFACT, info)
    result.files.append(tags.GIT_ARTIFACT)
    if diff:
        write_atomic(out / tags.GIT_DIFF_ARTIFACT, diff)
        result.files.append(tags.GIT_DIFF_ARTIFACT)
    if repo:
        result.tags[tags.GIT_COMMIT] = str(repo.get("commit") or "")
        result.tags[tags.MLFLOW_GIT_COMMIT] = str(repo.get("commit") or "")
        result.tags[tags.GIT_BRANCH] = str(repo.get("branch") or "")
        result.tags[tags.GIT_REMOTE] = str(repo.get("remote_url") or "")
        result.tags[tags.GIT_DIRTY] = str(bool(repo.get("dirty"))).lower()
