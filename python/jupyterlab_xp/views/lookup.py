"""Find a recorded run from what a user types: a full run id or a unique prefix of one."""

from __future__ import annotations

from typing import Any

from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.store.boundary import check_run_id
from jupyterlab_xp.store.mlflow_store import MlflowStore


def find_run(store: MlflowStore, ident: str, archived: bool = False) -> Any:
    """The run with id ``ident``, or the only one whose id starts with it (among archived runs
    too with ``archived``; a whole id finds an archived run either way).

    Raises:
        XpError: malformed, ambiguous or unknown.
    """
    check_run_id(ident)
    run = store.get_run(ident) if len(ident) == 32 else None
    if run is not None:
        return run
    matches = store.run_ids_with_prefix(ident.lower(), limit=2, archived=archived)
    if len(matches) > 1:
        raise XpError(f"{ident!r} matches more than one run; give more of the id")
    run = store.get_run(matches[0]) if matches else None
    if run is None:
        raise XpError(f"no run {ident!r} in {store.location.display}")
    return run
