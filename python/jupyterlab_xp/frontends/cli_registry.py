"""``jupyter xp register`` and ``jupyter xp model``: MLflow model versions with lineage.

``jupyter xp register RUN[:CHECKPOINT[/VERSION]] NAME [--alias A] [--metric M ...] [--force]``
``jupyter xp model NAME@ALIAS|NAME/VERSION [--json]``
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from jupyterlab_xp.frontends.cli_gate import add_decision_options
from jupyterlab_xp.frontends.cli_gate import render_text as render_gate
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.views.registry import GATED_ALIAS, register, run_versions, show_version


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``register`` and ``model`` in ``jupyter xp``'s parser."""
    p = sub.add_parser(
        "register",
        help="register a run (or one of its checkpoints) as a model version with its lineage",
    )
    p.add_argument("source", help="RUN or RUN:CHECKPOINT (a run id or unique prefix)")
    p.add_argument("name", help="the registered model's name")
    p.add_argument(
        "--alias",
        help=f"also give the version this alias; {GATED_ALIAS} only after a gate against the "
        f"current {GATED_ALIAS} version passes",
    )
    p.add_argument("--metric", action="append", default=[], help="what the production gate tests")
    add_decision_options(p)
    p.add_argument(
        "--force",
        action="store_true",
        help=f"set {GATED_ALIAS} without a gate (recorded on the version)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    m = sub.add_parser("model", help="a registered model version and what made it")
    m.add_argument("ref", help="NAME@ALIAS or NAME/VERSION")
    m.add_argument("--json", action="store_true", help="print JSON")


def cmd_register(store: MlflowStore, args: argparse.Namespace) -> int:
    body = register(
        store,
        args.source,
        args.name,
        alias=args.alias,
        metrics=args.metric,
        force=args.force,
        directions=args.direction,
        min_effect=args.min_effect,
        correction=args.correction,
    )
    if args.json:
        print(json.dumps(body, indent=2))
        return 0
    aliases = f" ({', '.join(body['aliases'])})" if body["aliases"] else ""
    print(f"registered {body['name']} version {body['version']}{aliases} from run {body['run_id']}")
    if body["gate"] is not None:
        print(render_gate(body["gate"]))
    print(render_lineage(body["lineage"]))
    return 0


def cmd_model(store: MlflowStore, args: argparse.Namespace) -> int:
    body = show_version(store, args.ref)
    if args.json:
        print(json.dumps(body, indent=2))
        return 0
    aliases = f" ({', '.join(body['aliases'])})" if body["aliases"] else ""
    print(f"{body['name']} version {body['version']}{aliases}")
    print(f"  run      {body['run_id'] or '-'}")
    print(f"  source   {body['source'] or '-'}")
    print(render_lineage(body["lineage"]))
    if body["unreadable"]:
        print(f"left out, unreadable in the registry: {'; '.join(body['unreadable'])}")
    return 0


def render_lineage(lineage: dict[str, Any]) -> str:
    """The lineage tags, one per line (long JSON values shortened)."""
    lines = ["lineage"]
    for key in sorted(lineage):
        value = str(lineage[key])
        lines.append(f"  {key:<18} {value if len(value) <= 100 else value[:97] + '...'}")
    return "\n".join(lines)


def render_versions(store: MlflowStore, run_id: str) -> str | None:
    """``registered as NAME/VERSION (aliases), ...`` for ``jupyter xp show`` (run → versions)."""
    body = run_versions(store, run_id)  # through the parsing boundary, as the run detail reads
    versions, unreadable = body["versions"], body["unreadable"]
    if not versions and not unreadable:
        return None
    shown = [
        f"{v['name']}/{v['version']}" + (f" ({', '.join(v['aliases'])})" if v["aliases"] else "")
        for v in versions
    ]
    left_out = f" ({len(unreadable)} unreadable version(s) left out)" if unreadable else ""
    return "registered as " + ", ".join(shown) + left_out


COMMANDS = {"register": cmd_register, "model": cmd_model}
