"""What differs between recorded runs, field by field.

Params, metrics, packages, hardware, git, environment and the executed code.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from typing import Any

from jupyterlab_xp.core import tags


def value_rows(keys: Sequence[str], values_of: Callable[[str], list[Any]]) -> list[dict[str, Any]]:
    rows = []
    for key in keys:
        values = values_of(key)
        rows.append({"key": key, "values": values, "differs": len({repr(v) for v in values}) > 1})
    return rows


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def hardware_fields(detail: dict[str, Any]) -> dict[str, str | None]:
    hw = detail.get("hardware") or {}
    cpu, torch_info = hw.get("cpu") or {}, hw.get("torch") or {}
    gpus = hw.get("gpus") or []
    memory = (hw.get("memory") or {}).get("total")
    return {
        "cpu": _text(cpu.get("model")),
        "cpu cores": _text(cpu.get("logical_cores")),
        "memory GiB": f"{memory / 2**30:.1f}" if isinstance(memory, int | float) else None,
        "gpus": ", ".join(str(g.get("name")) for g in gpus) or "none",
        "gpu driver": _text(gpus[0].get("driver_version")) if gpus else None,
        "torch": _text(torch_info.get("version")),
        "torch cuda build": _text(torch_info.get("cuda_build")),
        "device": _text(detail["tags"].get(tags.DEVICE)),
    }


def git_fields(detail: dict[str, Any]) -> dict[str, str | None]:
    repo = (detail.get("git") or {}).get("repository") or {}
    return {
        "commit": _text(repo.get("commit")),
        "branch": _text(repo.get("branch")),
        "remote": _text(repo.get("remote_url")),
        "dirty": _text(repo.get("dirty")),
    }


def environment_fields(detail: dict[str, Any]) -> dict[str, str | None]:
    env = detail.get("environment") or {}
    python, plat = env.get("python") or {}, env.get("platform") or {}
    fields: dict[str, str | None] = {
        "python": _text(python.get("version")),
        "platform": " ".join(str(plat.get(k, "")) for k in ("system", "release", "machine")).strip()
        or None,
        "container": _text(env.get("container")),
    }
    for name, value in sorted((env.get("env") or {}).items()):
        fields[f"env {name}"] = _text(value)
    return fields


def package_rows(details: list[dict[str, Any]]) -> list[dict[str, Any]]:
    maps = [
        {p["name"].lower(): p["version"] for p in (d.get("environment") or {}).get("packages", [])}
        for d in details
    ]
    rows = []
    for name in sorted(set().union(*maps)):
        versions = [m.get(name) for m in maps]
        first, others = versions[0], versions[1:]
        if first is None:
            change = "added"
        elif any(v is None for v in others):
            change = "removed"
        elif any(v != first for v in others):
            change = "changed"
        else:
            change = "same"
        rows.append({"name": name, "versions": versions, "change": change})
    return rows


def executed_code(detail: dict[str, Any]) -> list[str]:
    """The code a run executed successfully, in order: what produced its result."""
    lines: list[str] = []
    for cell in detail["cells_journal"]:
        if cell.get("status") == "ok":
            lines.append(f"# --- [{cell.get('execution_count') or ' '}] cell {cell.get('cell_id')}")
            lines.extend(cell.get("source", "").splitlines())
    return lines


def cell_diffs(details: list[dict[str, Any]]) -> list[dict[str, Any]]:
    base = executed_code(details[0])
    out = []
    for detail in details[1:]:
        other = executed_code(detail)
        diff = "\n".join(
            difflib.unified_diff(
                base, other, fromfile=details[0]["run_id"], tofile=detail["run_id"], lineterm=""
            )
        )
        out.append({"run_id": detail["run_id"], "diff": diff, "identical": base == other})
    return out
