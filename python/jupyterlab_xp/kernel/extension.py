"""Register the %xp magic and the cell hooks with IPython (%load_ext jupyterlab_xp)."""

from __future__ import annotations

from typing import Any

from jupyterlab_xp.core.telemetry import apply_telemetry_choice
from jupyterlab_xp.kernel.magics import XpMagics
from jupyterlab_xp.kernel.recorder import get_recorder, running_count


def load_ipython_extension(shell: Any) -> None:
    """Register the magic and the ``pre_run_cell`` / ``post_run_cell`` hooks (idempotent)."""
    recorder = get_recorder()
    if recorder.shell is shell:
        return
    # The user's own MLflow calls in this kernel, and the promotions it starts, stay quiet too.
    apply_telemetry_choice()
    recorder.shell = shell
    recorder.user_ns = shell.user_ns
    # Loaded from inside a cell (usually the one that goes on to %xp start): its pre_run_cell
    # already fired without us, so take the cell from the kernel's current request instead.
    recorder.note_running_cell(_running_cell(shell))
    shell.register_magics(XpMagics(shell, recorder))
    shell.events.register("pre_run_cell", recorder.pre_run_cell)
    shell.events.register("post_run_cell", recorder.post_run_cell)


def _running_cell(shell: Any) -> tuple[str, str | None, int | None] | None:
    """The cell being executed, from ipykernel's parent message (None outside a kernel)."""
    try:
        parent = shell.kernel.get_parent()
    except Exception:
        return None
    if (
        not isinstance(parent, dict)
        or parent.get("msg_type", parent.get("header", {}).get("msg_type")) != "execute_request"
    ):
        return None
    code = parent.get("content", {}).get("code")
    cell_id = parent.get("metadata", {}).get("cellId")
    if not isinstance(code, str):
        return None
    store_history = bool(parent.get("content", {}).get("store_history", True))
    return code, cell_id if isinstance(cell_id, str) else None, running_count(shell, store_history)


def unload_ipython_extension(shell: Any) -> None:
    """Stop an active run and remove the hooks."""
    recorder = get_recorder()
    if recorder.active is not None:
        recorder.stop(reason="unload")
    for event, callback in (
        ("pre_run_cell", recorder.pre_run_cell),
        ("post_run_cell", recorder.post_run_cell),
    ):
        if callback in shell.events.callbacks[event]:
            shell.events.unregister(event, callback)
    recorder.shell = None
