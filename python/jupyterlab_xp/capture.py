"""What ``%xp start`` captures once, in the background: files under ``xp/`` and summary tags.

Each capture is independent: one that fails is reported in ``errors`` and the rest still land.
"""

from __future__ import annotations

import ast
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import tags
from .files import write_atomic, write_json_atomic
from .mlflow_store import MAX_PARAM_VALUE

PARAMETER_TAGS = ("parameters", "injected-parameters")  # papermill's conventions


@dataclass
class CaptureResult:
    """Files written (names inside the artifacts folder), summary tags, and failures."""

    files: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def capture_all(artifacts: Path, notebook: Path | None) -> CaptureResult:
    """Write environment, lock file, hardware and git captures into ``artifacts``."""
    result = CaptureResult()
    steps: list[tuple[str, Callable[[Path, CaptureResult], None]]] = [
        ("environment", _environment),
        ("hardware", _hardware),
        ("git", lambda out, res: _git(out, res, notebook)),
    ]
    for name, step in steps:
        try:
            step(artifacts, result)
        except Exception as exc:  # a capture bug must not cost the run its other captures
            result.errors[name] = f"{type(exc).__name__}: {exc}"
    return result


def _environment(out: Path, result: CaptureResult) -> None:
    from .environment import capture_environment, requirements_lock

    env = capture_environment()
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


def _hardware(out: Path, result: CaptureResult) -> None:
    from .hardware import capture_hardware

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


def _git(out: Path, result: CaptureResult, notebook: Path | None) -> None:
    from .gitinfo import capture_git, capture_git_for_modules

    where = notebook.parent if notebook is not None else Path.cwd()
    repo = capture_git(where)
    module_files = [getattr(m, "__file__", None) for m in list(sys.modules.values())]
    modules = capture_git_for_modules(
        [f for f in module_files if isinstance(f, str)],
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


def parameter_cell_sources(notebook: Path) -> list[str]:
    """Sources of the notebook's ``parameters`` then ``injected-parameters`` cells, as saved.

    Reads the file as plain JSON: nbformat costs two seconds to import.
    """
    try:
        data = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    found: dict[str, list[str]] = {t: [] for t in PARAMETER_TAGS}
    for cell in data.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        cell_tags = cell.get("metadata", {}).get("tags", [])
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        for tag in PARAMETER_TAGS:
            if tag in cell_tags:
                found[tag].append(source)
    return found["parameters"] + found["injected-parameters"]


def parameters_from_source(source: str, user_ns: Mapping[str, Any] | None) -> dict[str, Any]:
    """The parameters a ``parameters`` cell sets: its simple assignments.

    The value is the one in the user's namespace when it is a plain literal (that is what the
    code ran with, after papermill's injected cell), else the literal written in the cell.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    values: dict[str, Any] = {}
    for node in tree.body:
        targets: list[ast.expr]
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            if not isinstance(target, ast.Name):
                continue
            live = literal_or_none((user_ns or {}).get(target.id, _MISSING))
            if live is not None:
                values[target.id] = live
                continue
            try:
                values[target.id] = ast.literal_eval(value)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
    return values


_MISSING = object()


def literal_or_none(value: Any) -> Any:
    """``value`` when it is a plain literal (round-trips through ``repr``), else None."""
    if value is _MISSING:
        return None
    try:
        text = repr(value)
        if len(text) > MAX_PARAM_VALUE:
            return None
        return value if ast.literal_eval(text) == value else None
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
