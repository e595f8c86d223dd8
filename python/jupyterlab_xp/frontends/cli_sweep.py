"""``jupyter xp sweep``: start a sweep, join one from another process or machine, show, confirm.

``jupyter xp sweep RUN|NOTEBOOK --param NAME=DIST:ARGS ... --objective METRIC [--direction D]
[--trials N] [--seeds S] [--sampler tpe|random|grid] [--pruner hyperband|median|none]
[--workers N] [--storage URL] [--timeout S] [--dry-run] [--code-sha256 DIGEST] [--yes] [--json]``
``jupyter xp sweep join SWEEP [--storage URL]``
``jupyter xp sweep show SWEEP [--storage URL] [--json]``
``jupyter xp sweep confirm SWEEP --seeds 5 [--storage URL] [--json]``
(``jupyter xp sweep RUN --help``: every option of a new sweep)

Every trial runs only the code the sweep was created with (its sha256 is kept with the study and
checked before each trial). ``--dry-run`` prints that code the way ``jupyter xp promote
--dry-run`` does; code read from the store (a run recorded elsewhere) is shown and asked about
before a sweep starts, unless ``--code-sha256`` (the dry run's digest) or ``--yes`` says it was
seen. The storage is the user's only: ``--storage``, ``$XP_SWEEP_STORAGE`` or the default.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.frontends.dry_run import render_dry_run
from jupyterlab_xp.frontends.render import table
from jupyterlab_xp.promote import jobs, preview
from jupyterlab_xp.promote.notebook_run import Cancelled
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.sweep import confirm, results, sweeps, worker
from jupyterlab_xp.sweep import study as studies
from jupyterlab_xp.sweep.devices import visible_gpus, worker_envs
from jupyterlab_xp.views.lookup import find_run

ACTIONS = ("join", "show", "confirm")
USAGE = __doc__.split("\n\n", 1)[1].replace("``", "") if __doc__ else ""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``sweep`` in ``jupyter xp``'s parser; :func:`cmd_sweep` parses the rest."""
    parser = sub.add_parser(
        "sweep",
        help="search parameters with Optuna, every trial a tracked promotion",
        description=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("argv", nargs=argparse.REMAINDER, help="see above")


def _start_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jupyter xp sweep", description=USAGE)
    p.add_argument("source", help="a run id (or unique prefix), or a .ipynb file")
    p.add_argument("--param", action="append", default=[], help="NAME=DIST:ARGS (repeatable)")
    p.add_argument("--objective", required=True, help="the metric to optimise, e.g. val/accuracy")
    p.add_argument("--direction", default="maximize", choices=studies.DIRECTIONS)
    p.add_argument("--trials", type=int, default=20, help="trials in all (default 20)")
    p.add_argument("--seeds", help="the seed every trial runs with (default: the source's)")
    p.add_argument("--sampler", default="tpe", help="tpe (default), random or grid")
    p.add_argument("--sampler-seed", type=int, help="seed the sampler (a repeatable sweep)")
    p.add_argument("--pruner", default="hyperband", help="hyperband (default), median or none")
    p.add_argument(
        "--workers", type=int, help="trials at once here (default: GPUs, else CPUs; 0: none)"
    )
    p.add_argument("--storage", help="Optuna storage URL (default: SQLite in $XP_HOME/sweeps)")
    p.add_argument("--timeout", type=float, help="stop starting trials after S seconds")
    p.add_argument(
        "--cell-timeout",
        type=float,
        help="seconds per notebook cell (default 600; the cells promote adds get at least 600)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="print the sweep and the code every trial would run (and its sha256); run nothing",
    )
    p.add_argument(
        "--code-sha256",
        metavar="DIGEST",
        help="the sha256 a dry run printed: refused when the code changed since",
    )
    p.add_argument(
        "--yes", action="store_true", help="start without asking about code from the store"
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    return p


def _other_parser(action: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=f"jupyter xp sweep {action}")
    p.add_argument("sweep", help="the sweep's run id (or unique prefix), or its study name")
    p.add_argument(
        "--storage",
        help="Optuna storage URL (default: $XP_SWEEP_STORAGE, else SQLite in $XP_HOME/sweeps; "
        "the run's storage tag is shown, never opened)",
    )
    if action == "confirm":
        p.add_argument("--seeds", type=int, default=5, help="fresh seeds per configuration")
    if action != "join":
        p.add_argument("--json", action="store_true", help="print JSON")
    return p


def cmd_sweep(store: MlflowStore, args: argparse.Namespace) -> int:
    """Dispatch ``sweep``, ``sweep join``, ``sweep show`` and ``sweep confirm``."""
    argv = list(args.argv)
    if argv and argv[0] in ACTIONS:
        opts = _other_parser(argv[0]).parse_args(argv[1:])
        return {"join": _join, "show": _show, "confirm": _confirm}[argv[0]](store, opts)
    return _start(store, _start_parser().parse_args(argv))


def _source(store: MlflowStore, text: str) -> tuple[Any, Path]:
    """The source ``text`` names and the folder its trials' notebook paths are confined to."""
    if text.endswith(".ipynb") or "/" in text:
        if "://" in text:
            raise XpError(f"sweep takes a local notebook, got {text[:120]!r}")
        path = Path(text).expanduser().resolve()
        if path.suffix != ".ipynb" or not path.is_file():
            raise XpError(f"no notebook {text[:120]!r}")
        return jobs.load_source(store, None, path), path.parent
    return jobs.load_source(store, find_run(store, text).info.run_id, None, Path.cwd()), Path.cwd()


def _request(opts: argparse.Namespace) -> dict[str, Any]:
    from jupyterlab_xp.promote.params import parse_seeds

    return {
        "params": opts.param,
        "objective": opts.objective,
        "direction": opts.direction,
        "trials": opts.trials,
        "seeds": parse_seeds(opts.seeds) if opts.seeds else None,
        "sampler": opts.sampler,
        "pruner": opts.pruner,
        "timeout": opts.timeout,
        "sampler_seed": opts.sampler_seed,
        "cell_timeout": opts.cell_timeout,
        "code_sha256": opts.code_sha256,
    }


def render_plan(src: Any, config: dict[str, Any]) -> str:
    """A new sweep as ``--dry-run`` prints it: the search, then the code as promote shows it."""
    checked = jobs.check(
        src, seeds=[config["seed"]], order=config["order"], cell_timeout=config["cell_timeout"]
    )
    code = preview.listing(checked["cells"], cap=False)
    text = render_dry_run(jobs.plan(src), checked, code, {})
    search = [
        f"sweep       {config['trials']} trials, {config['objective']} {config['direction']}, "
        f"sampler {config['sampler']}, pruner {config['pruner']}",
        f"space       {preview.visible(config['space'], keep='')[0]}",
        f"code sha256 {config['code_sha256']}  (start with --code-sha256 {config['code_sha256']})",
    ]
    head, _, rest = text.partition("\n\n")
    return "\n".join([head, "", *search, rest])


def _confirmed(src: Any, config: dict[str, Any], opts: argparse.Namespace) -> None:
    """Code from the store starts only once seen: ``--code-sha256``, ``--yes`` or a y here."""
    if opts.code_sha256 or opts.yes or src.provenance.get("code_from") != "store":
        return  # the digest was checked; or the code is this machine's journal or a local file
    if opts.json or not sys.stdin.isatty():
        raise XpError(
            "the code comes from the store (the run was recorded elsewhere): read it with "
            "--dry-run, then start with --code-sha256 DIGEST (or --yes)"
        )
    print(render_plan(src, config))
    answer = input(f"\nstart {config['trials']} trials of this code? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise XpError("not started")


def _start(store: MlflowStore, opts: argparse.Namespace) -> int:
    src, root = _source(store, opts.source)
    request = _request(opts)
    if opts.dry_run:
        config = sweeps.check_request(src, **request)
        if opts.json:
            checked = jobs.check(src, seeds=[config["seed"]], order=config["order"])
            code = preview.listing(checked["cells"], cap=False)
            print(json.dumps({"dry_run": True, "sweep": config, "code": code}, indent=2))
        else:
            print(render_plan(src, config))
        return 0
    _confirmed(src, sweeps.check_request(src, **request), opts)
    envs = [] if opts.workers == 0 else worker_envs(opts.workers, visible_gpus())
    url = results.storage_for(opts.storage, studies.default_storage(store.location.home))
    sweep = sweeps.create(store, src, url, **request)
    short = sweep["run_id"][:8]
    if not opts.json:
        print(
            f"sweep {sweep['run_id']}: study {sweep['study']} in {sweep['storage']}, "
            f"{sweep['trials']} trials, {len(envs)} worker(s) here, "
            f"code sha256 {sweep['code_sha256'][:16]} ({sweep['cells']} cells)",
            flush=True,
        )
        print(f"watch: jupyter xp sweep show {short}; more workers: jupyter xp sweep join {short}")
    if not envs:
        return 0
    log = store.location.home / "sweeps" / f"{sweep['run_id']}.log"
    tail = _Tail(log, quiet=opts.json)
    state = sweeps.run_here(store, sweep, url, envs, root, on_tick=tail)
    tail()
    detail = results.detail(store, sweep["study"], url)
    if opts.json:
        print(json.dumps({"state": state, **detail}, indent=2, default=str))
    else:
        print(f"sweep {state}")
        print(render_sweep(detail))
    return 0 if state in (sweeps.FINISHED, sweeps.RUNNING) else 1


class _Tail:
    """Prints the workers' log lines as they arrive."""

    def __init__(self, path: Path, quiet: bool) -> None:
        self.path, self.quiet, self.offset = path, quiet, 0

    def __call__(self) -> None:
        if self.quiet or not self.path.is_file():
            return
        with self.path.open("rb") as f:
            f.seek(self.offset)
            chunk = f.read()
        end = chunk.rfind(b"\n") + 1
        self.offset += end
        if end:
            print(chunk[:end].decode(errors="replace"), end="", flush=True)


def _raise_cancelled(signum: int, frame: FrameType | None) -> None:
    raise Cancelled()


def _join(store: MlflowStore, opts: argparse.Namespace) -> int:
    found = results.resolve(store, opts.sweep, opts.storage)
    url = found["storage_url"]
    results.open_detail(store, found)  # the study is in this storage (or one line says where)
    # A batch system's SIGTERM (pre-emption) or Ctrl-C: the running trial ends FAIL, its run
    # KILLED, and this worker stops.
    signal.signal(signal.SIGTERM, _raise_cancelled)
    signal.signal(signal.SIGINT, _raise_cancelled)
    try:
        ran = worker.work(store, url, found["study"], Path.cwd())
    except (KeyboardInterrupt, Cancelled):
        print("jupyter xp: sweep worker stopped")
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    detail = results.detail(store, found["study"], url)
    done = sum(detail["counts"].values()) >= detail["trials_target"] or detail["stopped"]
    if done and not detail["counts"].get("RUNNING"):
        sweeps.finish(store, {"run_id": detail["run_id"], "study": found["study"]}, url)
    print(f"ran {ran} trial(s) of {found['study']}")
    print(render_sweep(detail))
    return 0


def _show(store: MlflowStore, opts: argparse.Namespace) -> int:
    found = results.resolve(store, opts.sweep, opts.storage)
    detail = results.open_detail(store, found)
    if opts.json:
        print(json.dumps(detail, indent=2, default=str))
    else:
        print(render_sweep(detail))
    return 0


def _confirm(store: MlflowStore, opts: argparse.Namespace) -> int:
    found = results.resolve(store, opts.sweep, opts.storage)
    detail = results.open_detail(store, found)
    body = confirm.confirm(
        store, detail, opts.seeds, Path.cwd(), say=(lambda _: None) if opts.json else print
    )
    if opts.json:
        print(json.dumps(body, indent=2, default=str))
        return 0
    print(render_confirm(body))
    return 0


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:.4g}" if isinstance(value, float) else str(value)


def render_sweep(detail: dict[str, Any]) -> str:
    """The trials table, the best trial and parameter importance as text."""
    names = [d["name"] for d in detail["space"]]
    lines = [
        f"sweep {detail['run_id']} (study {detail['study']}): {detail['objective']} "
        f"{detail['direction']}, sampler {detail['sampler']}, pruner {detail['pruner']}, "
        f"{sum(detail['counts'].values())}/{detail['trials_target']} trials "
        + ", ".join(f"{n} {s.lower()}" for s, n in sorted(detail["counts"].items()))
    ]
    if detail["stopped"]:
        lines.append(f"stopped: {detail['stopped']}")
    rows = [["TRIAL", *(n.upper() for n in names), detail["objective"], "STATE", "SECONDS", "RUN"]]
    for t in detail["trials"]:
        state = t["state"] + (f" @{t['last_step']}" if t["state"] == "PRUNED" else "")
        rows.append(
            [
                str(t["number"]),
                *(_fmt(t["params"].get(n)) for n in names),
                _fmt(t["value"]),
                state,
                _fmt(t["duration"]),
                (t["run_id"] or "-")[:8],
            ]
        )
    lines.append(table(rows))
    best = detail["best"]
    if best is not None:
        shown = ", ".join(f"{k}={_fmt(v)}" for k, v in best["params"].items())
        lines.append(f"best: trial {best['number']} ({shown}): {_fmt(best['value'])}")
    if detail["importance"]:
        lines.append(
            "importance: " + ", ".join(f"{k} {v:.2f}" for k, v in detail["importance"].items())
        )
    return "\n".join(lines)


def render_confirm(body: dict[str, Any]) -> str:
    """Each configuration's seed group and the tests between them, on the objective."""
    lines = []
    for group in body["groups"]:
        lines.append(
            f"{group['label']} (trial {group['trial']}): promotion {group['promotion']} "
            f"{group['state']}, {len(group['run_ids'])} run(s)"
        )
    for group in body["seed_groups"]:
        for row in group["metrics"]:
            if row.get("key") != body["objective"]:
                continue
            low, high = row.get("ci_low"), row.get("ci_high")
            lines.append(
                f"  {group['label']}: {body['objective']} mean {_fmt(row.get('mean'))} "
                f"± {_fmt(row.get('std'))} (n={row.get('n')}, CI {_fmt(low)} to {_fmt(high)})"
                + (f"; {group['warning']}" if group.get("warning") else "")
            )
    for test in body["tests"]:
        verdict = "distinguishable" if test.get("distinguishable") else "NOT distinguishable"
        lines.append(
            f"  {test['group_a']} vs {test['group_b']}: {verdict} from seed noise "
            f"(Welch p adj {_fmt(test.get('welch_p_adjusted'))}, d {_fmt(test.get('cohens_d'))})"
        )
    return "\n".join(lines)
