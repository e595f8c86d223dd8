"""The environment of a promotion, as text: planned (``--dry-run``) and used (the outcome)."""

from __future__ import annotations

from typing import Any


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
    shown = ", ".join(planned["pins"][:8]) + (", ..." if len(planned["pins"]) > 8 else "")
    return f"{head + '; ' if head else ''}{where}: installs {shown}"


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
        out[0] += (
            f": {lock['differed']} of the lock's {lock['pins']} pins differed from today's"
            + (" and were installed" if lock["differed"] else "")
        )
    if env.get("hash"):
        how = "cached, nothing installed" if env.get("cached") else "built for this promotion"
        out.append(
            f"  overlay {env['hash'][:12]} ({how}): {', '.join(env.get('pins') or [])[:200]}"
        )
    out += [f"  ! pip check: {line}" for line in (env.get("conflicts") or [])[:3]]
    if verdict:
        out.append(f"  verdict {verdict} in {place}")
    return out
