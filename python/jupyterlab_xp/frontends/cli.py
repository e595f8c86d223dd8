"""``jupyter xp``: list and show recorded runs from the terminal.

``jupyter xp runs [--experiment E] [--limit N] [--lifecycle active|archived|all] [--json|--csv]``
``jupyter xp show RUN [--json]``
``jupyter xp compare RUN RUN ... [--all] [--json] [--correction holm|bh]``
``jupyter xp promote RUN|NOTEBOOK [-p NAME VALUE ...] [--seeds 0,1,2] [--order ORDER]
[--cell-timeout S] [--env today|recorded] [--with SPEC ...] [--dry-run] [--json]``
``jupyter xp rename | tag | note | archive | restore RUN ...`` (see :mod:`.cli_manage`)
``jupyter xp sweep ...`` (see :mod:`.cli_sweep`)
``jupyter xp gate ...`` (see :mod:`.cli_gate`)
``jupyter xp register | model ...`` (see :mod:`.cli_registry`)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from jupyterlab_xp.core.config import resolve_store
from jupyterlab_xp.core.errors import StoreError, XpError
from jupyterlab_xp.core.telemetry import apply_telemetry_choice
from jupyterlab_xp.frontends import cli_gate, cli_manage, cli_registry, cli_sweep
from jupyterlab_xp.frontends.dry_run import print_dry_run
from jupyterlab_xp.frontends.render import (
    render_compare,
    render_detail,
    render_promotion,
    table,
    when,
)
from jupyterlab_xp.frontends.render_env import render_environment
from jupyterlab_xp.frontends.terminal import inert_output
from jupyterlab_xp.promote.jobs import follow
from jupyterlab_xp.promote.orders import ORDERS
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.store.query import LIFECYCLES, MAX_LIMIT, parse_run_query
from jupyterlab_xp.store.recovery import recover_all
from jupyterlab_xp.views.export import MAX_EXPORT, export_runs, runs_csv
from jupyterlab_xp.views.lookup import find_run
from jupyterlab_xp.views.runview import list_runs, run_detail
from jupyterlab_xp.views.stats import CORRECTIONS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jupyter xp", description="Reproducible notebook runs recorded by jupyterlab-xp."
    )
    parser.add_argument(
        "--tracking-uri",
        help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI or the "
        "embedded store in $XP_HOME)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    runs = sub.add_parser("runs", help="list recorded runs, newest first")
    runs.add_argument("--experiment", "-e", action="append", help="only this experiment")
    runs.add_argument(
        "--limit", "-n", type=int, help="at most N runs (default 20; --csv: every run)"
    )
    runs.add_argument(
        "--lifecycle",
        choices=LIFECYCLES,
        default="active",
        help="active runs (default), archived runs or all",
    )
    runs.add_argument("--json", action="store_true", help="print JSON")
    runs.add_argument(
        "--csv",
        action="store_true",
        help=f"print CSV with param and metric columns (at most {MAX_EXPORT:,} runs)",
    )
    show = sub.add_parser("show", help="everything recorded for one run")
    show.add_argument("run", help="run id (or a unique prefix of one)")
    show.add_argument("--json", action="store_true", help="print JSON")
    compare = sub.add_parser("compare", help="what differs between two or more runs")
    compare.add_argument("runs", nargs="+", help="run ids (or unique prefixes)")
    compare.add_argument("--all", action="store_true", help="show rows that do not differ too")
    compare.add_argument("--json", action="store_true", help="print JSON")
    compare.add_argument(
        "--correction",
        choices=CORRECTIONS,
        default="holm",
        help="adjust the group tests' p-values: holm (default) or bh (Benjamini-Hochberg)",
    )
    compare.add_argument(
        "--hold-seed",
        metavar="NAME",
        help="group runs by one seed component too (xp.seed(NAME), e.g. data), so each group "
        "varies only the others: initialisation noise apart from data-order noise",
    )
    promote = sub.add_parser(
        "promote",
        help="run a recorded run (or a notebook) again as a parameterized, tracked job, "
        "bundle it and check that it reproduces",
    )
    promote.add_argument("source", help="a run id (or unique prefix), or a .ipynb file")
    promote.add_argument(
        "-p",
        "--param",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="override a parameter (VALUE is read as a Python literal, else as text)",
    )
    promote.add_argument("--seeds", help="comma-separated seeds: one promoted run per seed")
    promote.add_argument(
        "--order",
        choices=ORDERS,
        help="cell order (default: recorded for a run; for a notebook auto: execution counts "
        "mended by def-use analysis)",
    )
    promote.add_argument(
        "--cell-timeout",
        type=float,
        help="seconds per notebook cell (default 600; the cells promote adds get at least 600)",
    )
    promote.add_argument(
        "--tolerance",
        type=float,
        help="relative tolerance for metrics and numbers in outputs (default 1e-6)",
    )
    promote.add_argument(
        "--env",
        choices=("today", "recorded"),
        help="today (default: this environment, nothing installed) or recorded: install the "
        "run's recorded packages that differ from today's into a cached overlay and run there",
    )
    promote.add_argument(
        "--with",
        dest="with_pins",
        action="append",
        metavar="SPEC",
        help="run with this requirement pinned, e.g. 'matplotlib<3.8' (repeatable; installed "
        "once into a cached overlay in $XP_HOME/envs)",
    )
    promote.add_argument(
        "--no-shims",
        dest="shims",
        action="store_false",
        default=None,
        help="run a notebook file as written: no compatibility shims for removed library APIs "
        "(on by default for a notebook file; each one used is named in the verdict)",
    )
    promote.add_argument("--json", action="store_true", help="print the result as JSON")
    promote.add_argument(
        "--dry-run",
        action="store_true",
        help="print the plan, where the run came from and the code that would run; run nothing",
    )
    cli_manage.add_parsers(sub)
    cli_sweep.add_parser(sub)
    cli_gate.add_parser(sub)
    cli_registry.add_parsers(sub)
    return parser


def cmd_runs(store: MlflowStore, args: argparse.Namespace) -> int:
    """Print the run list."""
    if args.limit is not None and args.limit < 1:
        raise XpError("--limit must be at least 1")
    recover_all(store, store.location.runs_dir)
    query = parse_run_query(
        {
            "experiment": args.experiment or [],
            "limit": [str(min(args.limit or 20, MAX_LIMIT))],
            "lifecycle": [args.lifecycle],
        }
    )
    if args.csv:
        exported, truncated = export_runs(store, query, min(args.limit or MAX_EXPORT, MAX_EXPORT))
        sys.stdout.write(runs_csv(exported))
        if truncated and args.limit is None:
            print(f"jupyter xp: only the first {MAX_EXPORT:,} runs were exported", file=sys.stderr)
        return 0
    runs, _ = list_runs(store, query)
    if args.json:
        print(json.dumps(runs, indent=2))
        return 0
    if not runs:
        print(f"no runs recorded yet in {store.location.display}; record one with %xp start")
        return 0
    rows = [["RUN ID", "NAME", "EXPERIMENT", "STATUS", "STARTED", "CELLS", "SEED", "METRICS"]]
    for run in runs:
        metrics = ", ".join(
            f"{k}={v:.4g}" for k, v in sorted(run["metrics"].items()) if not k.startswith("system/")
        )
        rows.append(
            [
                run["run_id"],
                run["name"] or "-",
                run["experiment"],
                run["status"] + (" (archived)" if run["archived"] else ""),
                when(run["start_time"]),
                str(run["cells"]),
                run["seed"] or "-",
                metrics[:60],
            ]
        )
    print(table(rows))
    return 0


def cmd_show(store: MlflowStore, args: argparse.Namespace) -> int:
    """Print one run in full."""
    recover_all(store, store.location.runs_dir)
    detail = run_detail(store, find_run(store, args.run))
    if args.json:
        print(json.dumps(detail, indent=2, default=str))
        return 0
    print(render_detail(detail))
    versions = cli_registry.render_versions(store, detail["run_id"])
    if versions:
        print(versions)
    return 0


def cmd_compare(store: MlflowStore, args: argparse.Namespace) -> int:
    """Print the differences between runs."""
    from jupyterlab_xp.views.compare import compare_runs, json_safe

    recover_all(store, store.location.runs_dir)
    ids = [find_run(store, ident).info.run_id for ident in args.runs]
    body = compare_runs(store, ids, args.correction, args.hold_seed)
    if args.json:
        print(json.dumps(json_safe(body), indent=2, default=str, allow_nan=False))
        return 0
    print(render_compare(body, show_all=args.all))
    return 0


def cmd_promote(store: MlflowStore, args: argparse.Namespace) -> int:
    """Promote a run or a notebook, follow its progress, print runs, bundle and verdict."""
    from pathlib import Path

    from jupyterlab_xp.promote import jobs
    from jupyterlab_xp.promote.params import parse_seeds, parse_text

    if args.source.endswith(".ipynb") or "/" in args.source:
        if "://" in args.source:
            raise XpError(f"promote takes a local notebook, got {args.source[:120]!r}")
        path = Path(args.source).expanduser().resolve()
        if path.suffix != ".ipynb" or not path.is_file():
            raise XpError(f"no notebook {args.source[:120]!r}")
        src = jobs.load_source(store, None, path)
    else:
        # A run recorded elsewhere runs in its notebook's folder only under this folder.
        run_id = find_run(store, args.source).info.run_id
        src = jobs.load_source(store, run_id, None, Path.cwd())
    params = {name: parse_text(name, value) for name, value in args.param}
    request = {
        "params": params,
        "seeds": parse_seeds(args.seeds) if args.seeds else None,
        "order": args.order,
        "cell_timeout": args.cell_timeout,
        "tolerance": args.tolerance,
        "env": args.env,
        "with_pins": args.with_pins,
    }
    if args.dry_run:
        return print_dry_run(src, request, as_json=args.json, home=store.location.home)
    for note in src.notes if not args.json else []:
        print(f"note: {note}")
    verdict = src.order_verdict or {}
    if verdict and not args.json:
        linear = verdict.get("linear")
        state = "unknown" if linear is None else "linear" if linear else "NOT linear"
        print(f"order verdict of the source run: {state}: {'; '.join(verdict.get('reasons', []))}")
    planned = jobs.check(src, **request)["environment"]
    if planned["pins"] and not args.json:  # every pin, before anything is installed
        print(f"environment {render_environment(planned)}", flush=True)
    job = jobs.create(store, src, root=Path.cwd(), shims=args.shims, **request)
    if not args.json:
        print(f"promotion {job['id']}: {job['order']} order, seeds {job['seeds']}")
    try:
        job = follow(store, job["id"], quiet=args.json)
    except KeyboardInterrupt:
        jobs.cancel(store.location, job["id"])
        job = follow(store, job["id"], quiet=args.json)
    if args.json:
        print(
            json.dumps(
                {
                    "id": job["id"],
                    "state": job["state"],
                    "runs": [r["run_id"] for r in job["runs"]],
                    "bundle": job["bundle"],
                    "verdict": job["verdict"],
                    "error": job["error"],
                    "promotion": job,
                },
                indent=2,
            )
        )
    else:
        print(render_promotion(job))
    return 0 if job["state"] == "finished" else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``jupyter xp`` and ``python -m jupyterlab_xp``."""
    args = _parser().parse_args(argv)
    apply_telemetry_choice()  # promotion jobs and sweep workers inherit this environment
    store = MlflowStore(resolve_store(args.tracking_uri))
    commands = {"runs": cmd_runs, "show": cmd_show, "compare": cmd_compare, "promote": cmd_promote}
    commands.update(cli_manage.COMMANDS)
    commands["sweep"] = cli_sweep.cmd_sweep
    commands["gate"] = cli_gate.cmd_gate
    commands.update(cli_registry.COMMANDS)
    # Everything a command prints may hold store content: one edge escapes control characters.
    with inert_output():
        try:
            return commands[args.command](store, args)
        except (XpError, LookupError) as exc:
            message = exc.args[0] if isinstance(exc, LookupError) and exc.args else exc
            print(f"jupyter xp: error: {message}", file=sys.stderr)
            return 2
        except StoreError as exc:
            print(f"jupyter xp: store error: {exc}", file=sys.stderr)
            return 1
