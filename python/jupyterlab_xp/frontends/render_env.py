"""The environment of a promotion, as text: planned (``--dry-run``) and used (the outcome)."""

from __future__ import annotations

from typing import Any

from jupyterlab_xp.promote import accelerator
from jupyterlab_xp.promote.preview import visible


def render_environment(planned: dict[str, Any]) -> str:
    """The environment a promotion would use, on one line (more for the pins)."""
    lock = planned.get("lock")
    if planned["kind"] == "today" and not lock:
        return "today's (this one; nothing is installed)"
    head = ""
    if lock:
        head = (
            f"recorded: {lock['differed']} of the lock's {lock['pins']} pins differ from "
            "today's" + (f" (recorded with Python {lock['python']})" if lock.get("python") else "")
        )
        if not planned["pins"]:
            return head + "; runs in today's environment, nothing is installed"
    state = {True: "built already", False: "built on first use", None: "cache not checked"}
    where = f"overlay {planned['hash'][:12]} ({state[planned.get('cached')]})"
    how = "without their dependencies, " if planned.get("no_deps") else ""
    # Every pin, one a line: what is installed is read before anything is (no "...").
    listed = "".join(f"\n              {visible(str(p), keep='')[0]}" for p in planned["pins"])
    build = accelerator.build_of([str(p) for p in planned["pins"]])
    index = f" (PyTorch's {build.tag} build from {build.index_url})" if build else ""
    return (
        f"{head + '; ' if head else ''}{where}: installs {len(planned['pins'])} package(s), "
        f"{how}from wheels only{index}:{listed}"
    )


def render_used(env: dict[str, Any] | None, verdict: str | None) -> list[str]:
    """Where the promotion ran, and what its verdict means there ("reproduced in ...")."""
    if not env:
        return []
    kind = env.get("kind") or "today"
    place = {
        "today": "today's environment",
        "recorded": "the recorded environment",
        "overlay": "an overlay environment",
    }[kind]
    lock = env.get("lock")
    out = [f"environment {place}"]
    if lock:
        # Installed only once the overlay exists (built or cached): a failed build installed
        # nothing, and a planned environment is no record of one.
        built = env.get("path") is not None or env.get("cached") is not None
        out[0] += f": {lock['differed']} of the lock's {lock['pins']} pins differed from today's"
        if lock["differed"]:
            out[0] += " and were installed" if built else "; the environment was not built"
    if env.get("hash"):
        how = "cached, nothing installed" if env.get("cached") else "built for this promotion"
        out.append(
            f"  overlay {env['hash'][:12]} ({how}): {', '.join(env.get('pins') or [])[:200]}"
        )
    out += [f"  ! pip check: {line}" for line in (env.get("conflicts") or [])[:3]]
    if verdict:
        out.append(f"  verdict {verdict} in {place}")
    return out
