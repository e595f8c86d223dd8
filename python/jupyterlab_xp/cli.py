"""``jupyter xp``: list and show recorded runs from the terminal.

``jupyter xp runs [--experiment E] [--limit N] [--json]``
``jupyter xp show RUN [--json]``
``jupyter xp compare RUN RUN ... [--all] [--json]``
``jupyter xp promote RUN|NOTEBOOK [-p NAME VALUE ...] [--seeds 0,1,2] [--order ORDER]
[--cell-timeout S] [--json]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

from .config import resolve_store
from .errors import XpError
from .mlflow_store import MlflowStore, StoreError
from .runquery import parse_run_query
from .runview import list_runs, run_detail
from .sync import recover_orphans


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
    runs.add_argument("--limit", "-n", type=int, default=20, help="at most N runs (default 20)")
    runs.add_argument("--json", action="store_true", help="print JSON")
    show = sub.add_parser("show", help="everything recorded for one run")
    show.add_argument("run", help="run id (or a unique prefix of one)")
    show.add_argument("--json", action="store_true", help="print JSON")
    compare = sub.add_parser("compare", help="what differs between two or more runs")
    compare.add_argument("runs", nargs="+", help="run ids (or unique prefixes)")
    compare.add_argument("--all", action="store_true", help="show rows that do not differ too")
    compare.add_argument("--json", action="store_true", help="print JSON")
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
        choices=("recorded", "execution-count", "notebook"),
        help="cell order (default: recorded for a run, execution-count for a notebook)",
    )
    promote.add_argument("--cell-timeout", type=float, help="seconds per cell (default 600)")
    promote.add_argument(
        "--tolerance", type=float, help="relative tolerance for metrics (default 1e-6)"
    )
    promote.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def _when(ms: int | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ms / 1000)) if ms else "-"


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
    )


def cmd_runs(store: MlflowStore, args: argparse.Namespace) -> int:
    """Print the run list."""
    if args.limit < 1:
        raise XpError("--limit must be at least 1")
    recover_orphans(store, store.location.runs_dir)
    query = parse_run_query({"experiment": args.experiment or [], "limit": [str(args.limit)]})
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
                run["status"],
                _when(run["start_time"]),
                str(run["cells"]),
                run["seed"] or "-",
                metrics[:60],
            ]
        )
    print(_table(rows))
    return 0


def find_run(store: MlflowStore, ident: str) -> Any:
    """The run with id ``ident``, or the only one whose id starts with it.

    Raises:
        XpError: malformed, ambiguous or unknown.
    """
    if not ident or not ident.isalnum():
        raise XpError(f"not a run id: {ident!r}")
    run = store.get_run(ident) if len(ident) == 32 else None
    if run is not None:
        return run
    matches = store.run_ids_with_prefix(ident.lower(), limit=2)
    if len(matches) > 1:
        raise XpError(f"{ident!r} matches more than one run; give more of the id")
    run = store.get_run(matches[0]) if matches else None
    if run is None:
        raise XpError(f"no run {ident!r} in {store.location.display}")
    return run


def cmd_show(store: MlflowStore, args: argparse.Namespace) -> int:
    """Print one run in full."""
    recover_orphans(store, store.location.runs_dir)
    detail = run_detail(store, find_run(store, args.run))
    if args.json:
        print(json.dumps(detail, indent=2, default=str))
        return 0
    print(render_detail(detail))
    return 0


def cmd_compare(store: MlflowStore, args: argparse.Namespace) -> int:
    """Print the differences between runs."""
    from .compare import compare_runs

    recover_orphans(store, store.location.runs_dir)
    ids = [find_run(store, ident).info.run_id for ident in args.runs]
    body = compare_runs(store, ids)
    if args.json:
        print(json.dumps(body, indent=2, default=str))
        return 0
    print(render_compare(body, show_all=args.all))
    return 0


def render_compare(body: dict[str, Any], show_all: bool = False) -> str:
    """The text form of :func:`jupyterlab_xp.compare.compare_runs` (differences only by default)."""
    runs = body["runs"]
    header = ["", *[f"{r['run_id'][:8]} {r['name'] or ''}"[:28] for r in runs]]
    out: list[str] = []

    def section(title: str, rows: list[list[str]]) -> None:
        out.append(f"\n{title}")
        out.append(_table([header, *rows]) if rows else "  (no differences)")

    def cell(value: Any) -> str:
        if value is None:
            return "-"
        return f"{value:.6g}" if isinstance(value, float) else str(value)

    for title in ("params", "metrics", "hardware", "git", "environment"):
        rows = [
            [r["key"], *map(cell, r["values"])] for r in body[title] if show_all or r["differs"]
        ]
        section(title, rows)
    packages = [
        [p["name"], *map(cell, p["versions"])]
        for p in body["packages"]
        if show_all or p["change"] != "same"
    ]
    section("packages", packages)
    out.append("\nexecuted code")
    for diff in body["cells"]:
        if diff["identical"]:
            out.append(f"  {diff['run_id'][:8]}: same code as {runs[0]['run_id'][:8]}")
        else:
            out.append(diff["diff"])
    groups = [g for g in body["seed_groups"] if len(g["run_ids"]) > 1]
    if groups:
        out.append("\nacross seeds (mean ± std, 95% bootstrap CI)")
        for group in groups:
            out.append(f"  {group['label']} ({len(group['run_ids'])} runs)")
            for m in group["metrics"]:
                out.append(
                    f"    {m['key']}: {m['mean']:.6g} ± {m['std']:.3g} "
                    f"[{m['ci_low']:.6g}, {m['ci_high']:.6g}]"
                )
    for test in body["group_tests"]:
        verdict = "distinguishable" if test["distinguishable"] else "within seed noise"
        out.append(
            f"  {test['key']}: {test['group_b']} - {test['group_a']} = "
            f"{test['mean_difference']:+.4g}, d={cell(test['cohens_d'])}, "
            f"Welch p={cell(test['welch_p'])}, permutation p={cell(test['permutation_p'])}"
            f": {verdict}"
        )
    return "\n".join(out).lstrip("\n")


def cmd_promote(store: MlflowStore, args: argparse.Namespace) -> int:
    """Promote a run or a notebook, follow its progress, print runs, bundle and verdict."""
    from pathlib import Path

    from .promote import jobs
    from .promote.params import parse_seeds, parse_text

    if args.source.endswith(".ipynb") or "/" in args.source:
        if "://" in args.source:
            raise XpError(f"promote takes a local notebook, got {args.source[:120]!r}")
        path = Path(args.source).expanduser().resolve()
        if path.suffix != ".ipynb" or not path.is_file():
            raise XpError(f"no notebook {args.source[:120]!r}")
        src = jobs.load_source(store, None, path)
    else:
        src = jobs.load_source(store, find_run(store, args.source).info.run_id, None)
    params = {name: parse_text(name, value) for name, value in args.param}
    verdict = src.order_verdict or {}
    if verdict and not args.json:
        linear = verdict.get("linear")
        state = "unknown" if linear is None else "linear" if linear else "NOT linear"
        print(f"order verdict of the source run: {state}: {'; '.join(verdict.get('reasons', []))}")
    job = jobs.create(
        store,
        src,
        params=params,
        seeds=parse_seeds(args.seeds) if args.seeds else None,
        order=args.order,
        cell_timeout=args.cell_timeout,
        tolerance=args.tolerance,
    )
    if not args.json:
        print(f"promotion {job['id']}: {job['order']} order, seeds {job['seeds']}")
    try:
        job = _follow(store, job["id"], quiet=args.json)
    except KeyboardInterrupt:
        jobs.cancel(store.location, job["id"])
        job = _follow(store, job["id"], quiet=args.json)
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


def _follow(store: MlflowStore, job_id: str, quiet: bool) -> dict[str, Any]:
    """Poll the job until it ends, printing progress lines when they change."""
    from .promote import jobs

    shown = ""
    while True:
        job = jobs.read(store.location, job_id)
        if job["state"] not in jobs.ACTIVE:
            return job
        line = f"  {job['state']}: {job['cells_done']}/{job['cells_total']} cells"
        if job["current_cell"]:
            line += f", running `{job['current_cell'][:60]}`"
        if line != shown and not quiet:
            print(line, flush=True)
            shown = line
        time.sleep(0.5)


def render_promotion(job: dict[str, Any]) -> str:
    """The text form of a promotion's outcome."""
    out = [
        f"promotion {job['id']}: {job['state']}" + (f" ({job['error']})" if job["error"] else "")
    ]
    for run in job["runs"]:
        check = run.get("verification") or {}
        verdict = check.get("verdict") or "-"
        out.append(
            f"  seed {run['seed']}: run {run['run_id'] or '-'} {run['status'] or '-'}, "
            f"verdict {verdict}" + (f"  {run['error']}" if run.get("error") else "")
        )
        for diff in (check.get("largest") or [])[:3]:
            out.append(f"    {diff['key']}: source {diff['source']} promoted {diff['promoted']}")
        outputs = check.get("outputs")
        if outputs:
            out.append(
                f"    outputs: {outputs['matched']}/{outputs['compared']} cells match"
                + (
                    f"; differ: {', '.join(outputs['mismatched'][:5])}"
                    if outputs["mismatched"]
                    else ""
                )
            )
    if job["bundle"]:
        out.append(f"bundle  {job['bundle']}")
    if job["verdict"]:
        out.append(f"verdict {job['verdict']}")
    return "\n".join(out)


def render_detail(d: dict[str, Any]) -> str:
    """The text form of :func:`jupyterlab_xp.runview.run_detail`."""
    out = [
        f"run         {d['run_id']}  {d['name'] or ''}",
        f"experiment  {d['experiment']}",
        f"status      {d['status']}  ({d['kind'] or 'unknown kind'})",
        f"started     {_when(d['start_time'])}   duration {d['duration'] or '-'} s",
        f"notebook    {d['notebook'] or '-'}",
    ]
    if d.get("died_in_cell"):
        out.append(f"died in     {d['died_in_cell']}")
    if d.get("source_run_id"):
        verdict = (d.get("verification") or {}).get("verdict", "not verified")
        out.append(f"promoted    from run {d['source_run_id']}: {verdict}")
    if d.get("promoted_runs"):
        verdict = d["tags"].get("xp.promoted.verdict", "-")
        out.append(f"promoted to {', '.join(d['promoted_runs'])} (latest verdict: {verdict})")
    out.append("\nparams")
    out += [f"  {k} = {v}" for k, v in sorted(d["params"].items())] or ["  (none)"]
    out.append("\nmetrics (latest)")
    out += [f"  {k} = {v:.6g}" for k, v in sorted(d["metrics"].items())] or ["  (none)"]
    seeds = d.get("seeds") or {}
    out.append("\nseeds")
    out.append(
        f"  root seed {seeds.get('seed')} ({seeds.get('seed_source')}), "
        f"PYTHONHASHSEED={seeds.get('pythonhashseed') or 'unset'}"
    )
    for lib, state in sorted((seeds.get("libraries") or {}).items()):
        out.append(f"  {lib}: {state}")
    for call in seeds.get("user_calls") or []:
        out.append(
            f"  user call in cell #{call.get('cell')}: {call['fn']}({', '.join(call['args'])})"
        )
    env = d.get("environment") or {}
    out.append("\nenvironment")
    py = env.get("python") or {}
    plat = env.get("platform") or {}
    out.append(
        f"  python {py.get('version', '?')} on {plat.get('system', '?')} "
        f"{plat.get('release', '')} {plat.get('machine', '')}"
    )
    out.append(
        f"  {len(env.get('packages') or [])} packages; container: {env.get('container') or 'none'}"
    )
    hw = d.get("hardware") or {}
    cpu = hw.get("cpu") or {}
    out.append("\nhardware")
    out.append(f"  cpu {cpu.get('model', '?')} ({cpu.get('logical_cores', '?')} logical cores)")
    gpus = hw.get("gpus") or []
    out += [f"  gpu{g.get('index')}: {g.get('name')}" for g in gpus] or ["  no GPU"]
    repo = (d.get("git") or {}).get("repository") or {}
    out.append("\ngit")
    if repo:
        out.append(
            f"  {repo.get('commit')} on {repo.get('branch') or '(detached)'}"
            f"{' (dirty)' if repo.get('dirty') else ''}  {repo.get('remote_url') or ''}"
        )
    else:
        out.append("  not in a git repository")
    order = d.get("order") or {}
    if order:
        state = {True: "linear", False: "NOT linear", None: "unknown"}[order.get("linear")]
        out.append(f"\norder: {state}")
        out += [f"  {reason}" for reason in order.get("reasons", [])]
    out.append("\ncells")
    for c in d["cells_journal"]:
        first = next((ln for ln in c.get("source", "").splitlines() if ln.strip()), "")
        dur = f"{c['duration']:.3f}s" if c.get("duration") is not None else "-"
        err = f"  {c['error_name']}: {c['error_value']}" if c.get("error_name") else ""
        out.append(
            f"  #{c['seq']:<3} [{c.get('execution_count') or ' '}] {c['status']:<7} "
            f"{dur:>9}  {first[:60]}{err}"
        )
    if not d["cells_journal"]:
        out.append("  (no cells recorded)")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``jupyter xp`` and ``python -m jupyterlab_xp``."""
    args = _parser().parse_args(argv)
    store = MlflowStore(resolve_store(args.tracking_uri))
    commands = {"runs": cmd_runs, "show": cmd_show, "compare": cmd_compare, "promote": cmd_promote}
    try:
        return commands[args.command](store, args)
    except (XpError, LookupError) as exc:
        message = exc.args[0] if isinstance(exc, LookupError) and exc.args else exc
        print(f"jupyter xp: error: {message}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"jupyter xp: store error: {exc}", file=sys.stderr)
        return 1
