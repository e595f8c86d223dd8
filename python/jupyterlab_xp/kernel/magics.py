"""The ``%xp`` line magic: one action per first word (``%xp start``, ``%xp log``, ...).

Loading is cheap: no MLflow, nbformat or torch import. Every error is one line
(``UsageError: ...``) and leaves the kernel and any active run as they were.
"""

from __future__ import annotations

import argparse
import ast
import time
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.kernel import api
from jupyterlab_xp.kernel.recorder import Recorder
from jupyterlab_xp.promote.orders import ORDERS
from jupyterlab_xp.store.faults import REFUSED_FILE, read_refused

ACTIONS = (
    "start",
    "stop",
    "status",
    "log",
    "param",
    "tag",
    "note",
    "dataset",
    "runs",
    "compare",
    "promote",
    "checkpoint",
    "sweep",
    "profile",
)


class _Parser(argparse.ArgumentParser):
    """argparse that raises a one-line UsageError instead of printing and exiting."""

    def error(self, message: str) -> Any:
        raise UsageError(f"%xp {self.prog}: {message}")


def _parser(action: str) -> _Parser:
    parser = _Parser(prog=action, add_help=False)
    if action == "start":
        parser.add_argument("name", nargs="?")
        parser.add_argument("--experiment", "-e")
        parser.add_argument("--seed", "-s")
        parser.add_argument("--deterministic", action="store_true")
        parser.add_argument("--tag", "-t", action="append", default=[])
        parser.add_argument("--notebook")
    elif action == "stop":
        parser.add_argument(
            "--status", choices=("finished", "failed", "killed"), default="finished"
        )
    elif action == "dataset":
        parser.add_argument("path")
        parser.add_argument("--name")
        parser.add_argument("--context", default="training")
    elif action == "runs":
        parser.add_argument("--limit", "-n", type=int, default=50)
    elif action == "compare":
        parser.add_argument("runs", nargs="+", metavar="RUN")
    elif action == "promote":
        parser.add_argument("run", nargs="?", metavar="RUN")
        parser.add_argument("-p", "--param", nargs=2, action="append", default=[])
        parser.add_argument("--seeds")
        parser.add_argument("--order", choices=ORDERS)
        parser.add_argument("--cell-timeout", type=float)
        parser.add_argument("--env", choices=("today", "recorded"))
        parser.add_argument("--with", dest="with_pins", action="append", metavar="SPEC")
        parser.add_argument("--wait", action="store_true")
    elif action == "sweep":  # every word goes to `jupyter xp sweep`, which parses it
        parser = _Parser(prog=action, add_help=False, prefix_chars="\x00")
        parser.add_argument("argv", nargs="*")
    elif action == "profile":
        parser.add_argument("steps", nargs="?", type=int, metavar="N")
    elif action == "checkpoint":
        parser.add_argument("name")
        parser.add_argument("--step", type=int)
    elif action in ("log", "param", "tag"):
        parser.add_argument("pairs", nargs="+", metavar="key=value")
        if action == "log":
            parser.add_argument("--step", type=int)
    return parser


def parse_pairs(pairs: list[str], numbers: bool = False) -> dict[str, Any]:
    """``["lr=0.1", "name=adam"]`` to ``{"lr": 0.1, "name": "adam"}`` (literals where they parse).

    Raises:
        UsageError: a token without ``=``, an empty key, or (``numbers``) a non-numeric value.
    """
    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"expected key=value, got {pair!r}")
        try:
            value: Any = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            value = text
        if numbers and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise UsageError(f"metric {key!r} needs a number, got {text!r}")
        values[key] = value
    return values


@magics_class
class XpMagics(Magics):
    """``%xp <action> ...``: record this notebook's run (see ``%xp?``)."""

    def __init__(self, shell: Any, recorder: Recorder) -> None:
        super().__init__(shell)
        self.recorder = recorder

    @magic_arguments()
    @argument("action", choices=ACTIONS, help="what to do")
    @argument("args", nargs=argparse.REMAINDER, help="the action's arguments")
    @line_magic
    def xp(self, line: str) -> None:
        """Record reproducible experiment runs.

        %xp start [NAME] [--experiment E] [--seed S] [--deterministic] [--tag k=v ...]
                  [--notebook PATH]
        %xp stop [--status finished|failed|killed]
        %xp status
        %xp log k=v ... [--step N]      metrics
        %xp param k=v ...               parameters
        %xp tag k=v ...                 tags
        %xp note TEXT                   a free-text note
        %xp dataset PATH [--name N]     checksum data the run reads
        %xp runs [--limit N]            the recent runs (a widget)
        %xp compare RUN RUN ...         what differs between runs (a widget)
        %xp promote [RUN] [-p NAME VALUE ...] [--seeds 0,1,2] [--order ORDER]
                    [--cell-timeout S] [--env recorded] [--with SPEC ...] [--wait]
                                        replay the last stopped run (or RUN) as a tracked
                                        papermill job, bundle it and verify it
        %xp sweep [RUN] --param NAME=DIST:ARGS ... --objective METRIC [...]
                                        an Optuna sweep of the last stopped run (or RUN), in
                                        the background (see jupyter xp sweep --help)
        %xp sweep show SWEEP            its trials, best trial and parameter importance
        %xp checkpoint NAME [--step N]  save the torch model, optimizer, scheduler and
                                        generator found in the namespace, and RNG states
        %xp profile [N]                 run the next cell (or its first N DataLoader batches)
                                        under torch.profiler: its trace and top operators
        """
        head, _, rest = line.strip().partition(" ")
        if head == "note":  # free text: not split or unquoted
            return self._guard(lambda: api.note(rest.strip()))
        args = parse_argstring(self.xp, line)
        options = _parser(args.action).parse_args(args.args)
        handler = getattr(self, f"_{args.action}")
        return self._guard(lambda: handler(options))

    @staticmethod
    def _guard(action: Any) -> None:
        try:
            action()
        except XpError as exc:
            raise UsageError(str(exc)) from None

    def _start(self, opts: argparse.Namespace) -> None:
        tag_values = parse_pairs(opts.tag)
        run = self.recorder.start(
            name=opts.name,
            experiment=opts.experiment,
            seed=opts.seed,
            deterministic=opts.deterministic,
            tags_={k: str(v) for k, v in tag_values.items()},
            notebook=opts.notebook,
        )
        print(
            f"xp: recording {run.name or 'a run'} in experiment {run.experiment!r} "
            f"(seed {run.seed}{', deterministic' if run.deterministic else ''}) "
            f"to {self.recorder.location.display}"
        )

    def _stop(self, opts: argparse.Namespace) -> None:
        handle = api.stop(opts.status)
        # No more waiting here: stop itself waited (bounded) for the run's sync process.
        run_id = handle.created_run_id
        if run_id is None:
            later = (
                "the journal is synced to the store when this kernel exits"
                if handle.synced_by_its_job  # a promotion's kernel
                else "the store has not answered yet: the journal keeps the run and it reaches "
                "the store when it answers (`jupyter xp runs` finishes it)"
            )
            print(
                f"xp: stopped local run {handle.local_id} ({opts.status}): {handle.cells} cells "
                f"recorded; {later}"
            )
            return
        print(
            f"xp: stopped run {run_id} ({opts.status}): {handle.cells} cells recorded; "
            f"`jupyter xp show {run_id}` shows it"
        )

    def _status(self, opts: argparse.Namespace) -> None:
        run = self.recorder.active
        where = self.recorder.location.display
        if run is None:
            print(f"xp: no run is being recorded (store: {where})")
            return
        if run.channel is not None:  # what its sync process reported last
            run.channel.poll(force=True)
        elapsed = time.time() - run.started
        lines = [
            f"run:        {run.name or 'unnamed'} ({run.run_id or 'MLflow id pending'})",
            f"experiment: {run.experiment}",
            f"seed:       {run.seed}",
            f"cells:      {run.cells} recorded, {run.errors} with errors",
            f"elapsed:    {elapsed:.1f} s",
            f"store:      {where}",
            f"journal:    {run.journal.path}",
            "redacted:   "
            + (
                "not yet (this run reaches the store when it ends)"
                if run.deferred
                else f"{run.sync.redactions.describe()} (in what reaches the store; "
                "the journal keeps the exact text)"
            ),
        ]
        if run.notebook is not None:
            from jupyterlab_xp.journal.jsonl import read_journal
            from jupyterlab_xp.journal.order import notebook_code_cells, order_verdict
            from jupyterlab_xp.journal.summary import cell_executions

            executions = cell_executions(read_journal(run.journal.path), alive=True)
            verdict = order_verdict(executions, notebook_code_cells(run.notebook))
            state = "linear" if verdict["linear"] else "not linear"
            lines.append(f"order:      {state} (as saved): {'; '.join(verdict['reasons'])}")
        if run.sync_error:
            lines.append(f"sync:       retrying ({run.sync_error})")
        refused = read_refused(run.dir)
        if refused:
            lines.append(
                f"refused:    {len(refused)} record(s) the store refused for good, kept in "
                f"{run.dir / REFUSED_FILE}"
            )
            lines += [f"            #{r['seq']} {r['type']}: {r['error']}" for r in refused[-5:]]
        print("\n".join(lines))

    def _dataset(self, opts: argparse.Namespace) -> None:
        name = api.dataset(opts.path, opts.name, opts.context)
        print(f"xp: dataset {name!r} declared; its checksum is computed in the background")

    def _runs(self, opts: argparse.Namespace) -> None:
        from IPython.display import display

        from jupyterlab_xp.frontends.widgets import runs_view

        if not 1 <= opts.limit <= 1000:
            raise XpError("--limit must be from 1 to 1000")
        display(runs_view(self.recorder.store, opts.limit))

    def _compare(self, opts: argparse.Namespace) -> None:
        from IPython.display import display

        from jupyterlab_xp.frontends.widgets import compare_view
        from jupyterlab_xp.views.lookup import find_run

        store = self.recorder.store
        display(compare_view(store, [find_run(store, r).info.run_id for r in opts.runs]))

    def _promote(self, opts: argparse.Namespace) -> None:
        from jupyterlab_xp.frontends.render import render_promotion
        from jupyterlab_xp.promote import jobs
        from jupyterlab_xp.promote.jobs import follow
        from jupyterlab_xp.promote.params import parse_seeds, parse_text
        from jupyterlab_xp.views.lookup import find_run

        recorder = self.recorder
        if recorder.active is not None and opts.run is None:
            raise XpError("a run is being recorded: stop it (%xp stop), then %xp promote")
        store = recorder.store
        if opts.run is not None:
            run_id = find_run(store, opts.run).info.run_id
        elif recorder.last is not None and recorder.last.run_id is not None:
            run_id = recorder.last.run_id
        else:
            raise XpError("no stopped run in this kernel: give a run id (%xp promote RUN)")
        job = jobs.create(
            store,
            jobs.load_source(store, run_id, None),
            params={name: parse_text(name, value) for name, value in opts.param},
            seeds=parse_seeds(opts.seeds) if opts.seeds else None,
            order=opts.order,
            cell_timeout=opts.cell_timeout,
            env=opts.env,
            with_pins=opts.with_pins,
        )
        print(
            f"xp: promotion {job['id']} of run {run_id} started ({job['order']} order, "
            f"seeds {job['seeds']}); follow it in the Experiments panel"
        )
        if opts.wait:
            print(render_promotion(follow(store, job["id"], quiet=False)))

    def _sweep(self, opts: argparse.Namespace) -> None:
        from jupyterlab_xp.kernel.sweep_launch import launch

        recorder = self.recorder
        last = recorder.last.run_id if recorder.last is not None else None
        location = recorder.location
        uri = None if location.embedded else location.tracking_uri
        print(launch(list(opts.argv), location.home, uri, last))

    def _checkpoint(self, opts: argparse.Namespace) -> None:
        from jupyterlab_xp.kernel.checkpoints import describe_saved, find_objects

        found = find_objects(self.shell.user_ns if self.shell is not None else {})
        values = {role: value for role, (_, value) in found.items()}
        entry = api.checkpoint(opts.name, step=opts.step, **values)
        print(describe_saved(entry, {role: key for role, (key, _) in found.items()}))

    def _profile(self, opts: argparse.Namespace) -> None:
        from jupyterlab_xp.kernel.profile import arm

        run = self.recorder.active
        if run is None:
            raise XpError("no run is being recorded; start one with %xp start, then %xp profile")
        print(arm(self.shell, run, opts.steps))

    def _log(self, opts: argparse.Namespace) -> None:
        api.log(parse_pairs(opts.pairs, numbers=True), step=opts.step)

    def _param(self, opts: argparse.Namespace) -> None:
        api.param(**parse_pairs(opts.pairs))

    def _tag(self, opts: argparse.Namespace) -> None:
        api.tag(**parse_pairs(opts.pairs))
