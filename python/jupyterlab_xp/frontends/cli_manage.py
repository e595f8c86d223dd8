"""``jupyter xp rename | tag | note | archive | restore``: managing runs from a terminal.

``jupyter xp rename RUN NAME``
``jupyter xp tag RUN [KEY=VALUE ...] [--delete KEY ...]``
``jupyter xp note RUN (TEXT | --file PATH | --clear)``
``jupyter xp archive RUN ...`` and ``jupyter xp restore RUN ...``
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.views import manage
from jupyterlab_xp.views.lookup import find_run

Command = Callable[[MlflowStore, argparse.Namespace], int]
RUN_HELP = "run id (or a unique prefix of one, archived runs included)"


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the run-management commands to ``jupyter xp``'s parser (:data:`COMMANDS` runs them)."""
    rename = sub.add_parser("rename", help="rename a run")
    rename.add_argument("run", help=RUN_HELP)
    rename.add_argument("name", help="the new name")
    tag = sub.add_parser("tag", help="set or delete a run's tags (not xp.* or mlflow.*)")
    tag.add_argument("run", help=RUN_HELP)
    tag.add_argument("assignments", nargs="*", metavar="KEY=VALUE", help="tags to set")
    tag.add_argument(
        "--delete", "-d", action="append", default=[], metavar="KEY", help="a tag to delete"
    )
    note = sub.add_parser("note", help="replace a run's note (Markdown)")
    note.add_argument("run", help=RUN_HELP)
    text = note.add_mutually_exclusive_group(required=True)
    text.add_argument("text", nargs="?", help="the note")
    text.add_argument("--file", "-f", help="read the note from a file ('-': standard input)")
    text.add_argument("--clear", action="store_true", help="remove the note")
    for name, what in (
        ("archive", "hide runs from the run list (MLflow's lifecycle stage 'deleted')"),
        ("restore", "bring archived runs back"),
    ):
        parser = sub.add_parser(name, help=what)
        parser.add_argument("runs", nargs="+", metavar="RUN", help=RUN_HELP)


def cmd_rename(store: MlflowStore, args: argparse.Namespace) -> int:
    run = find_run(store, args.run, archived=True)
    manage.edit_run(store, run, name=args.name)
    print(f"renamed run {run.info.run_id} to {args.name.strip()!r}")
    return 0


def cmd_tag(store: MlflowStore, args: argparse.Namespace) -> int:
    values: dict[str, str | None] = {}
    for pair in args.assignments:
        key, sep, value = pair.partition("=")
        if not sep:
            raise XpError(f"tags look like KEY=VALUE, got {pair[:80]!r}")
        values[key] = value
    values |= dict.fromkeys(args.delete)
    if not values:
        raise XpError("give KEY=VALUE tags to set or --delete KEY")
    run = find_run(store, args.run, archived=True)
    manage.edit_run(store, run, tag_values=values)
    print(f"tagged run {run.info.run_id}: {', '.join(sorted(values))}")
    return 0


def cmd_note(store: MlflowStore, args: argparse.Namespace) -> int:
    if args.clear:
        text = ""
    elif args.file is not None:
        try:
            text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise XpError(f"cannot read the note from {args.file!r}: {exc}") from None
    else:
        text = args.text
    if not args.clear and not text.strip():
        raise XpError("the note is empty; --clear removes a note")
    run = find_run(store, args.run, archived=True)
    manage.edit_run(store, run, note=text)
    print(f"{'removed the note of' if not text else 'noted'} run {run.info.run_id}")
    return 0


def cmd_archive(store: MlflowStore, args: argparse.Namespace) -> int:
    return _each_run(store, args.runs, manage.archive_run, "archived")


def cmd_restore(store: MlflowStore, args: argparse.Namespace) -> int:
    return _each_run(store, args.runs, manage.restore_run, "restored")


def _each_run(
    store: MlflowStore, idents: list[str], change: Callable[[MlflowStore, Any], None], done: str
) -> int:
    """Find every run first (a typo changes nothing), then change each and say so."""
    runs = [find_run(store, ident, archived=True) for ident in idents]
    for run in runs:
        change(store, run)
        print(f"{done} run {run.info.run_id} ({run.info.run_name or 'unnamed'})")
    return 0


COMMANDS: dict[str, Command] = {
    "rename": cmd_rename,
    "tag": cmd_tag,
    "note": cmd_note,
    "archive": cmd_archive,
    "restore": cmd_restore,
}
