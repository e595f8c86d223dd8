"""Promote every notebook of the public corpus, papermill alone beside it, and tabulate both.

The corpus (``../shared/corpus/notebooks.tsv``: 79 public notebooks pinned by commit, with the
data files each reads) is restored from local git mirrors (``XP_CORPUS_MIRRORS`` or
``--mirrors``, default ``/work/.mirror``; one ``owner+name/repo`` git directory per repository)
into a cache folder outside the repository. Each notebook is promoted on its own, in a folder
of its own with a fresh ``XP_HOME``, and run by plain papermill in another copy (or papermill's
column is read from ``baseline.tsv`` with ``--reuse-baseline``). The table (TSV) and a Markdown
summary (rates, causes of failure with counts, the command and the date) go to ``--out``.

    python benchmarks/corpus.py [--only PATTERN] [--limit N] [--jobs N] [--reuse-baseline]
                                [--merge EARLIER/corpus.tsv ...] [--no-run] [--reverify]

``--merge`` makes a partial rerun's table whole: the notebooks not run keep their rows from
earlier tables (the last that has one), and the summary says how many rows are from which.
``--reverify`` runs nothing either: it recomputes the verification of each notebook of the
``--merge`` tables from its last promotion in the cache (the executed notebook beside the
stored one) with today's rules, keeps every other column, and lists the notebooks whose
classes changed: a new rule is checked on the whole corpus before anything runs again.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "corpus"
TIMEOUT = 120  # seconds per cell, as in the baseline
NOTEBOOK_LIMIT = 900  # seconds per notebook run, whole
PASSING = ("exact", "within-tolerance", "random", "no-metrics")
EXCUSED = ("environment", "random", "notebook-export")  # classes that differ, named apart
COLUMNS = (
    "notebook",
    "restored",
    "verified",
    "verdict",
    "classes",
    "shims",
    "cause",
    "seconds",
    "papermill",
    "papermill_seconds",
)


@dataclass
class Entry:
    """One row of ``notebooks.tsv``."""

    repo: str
    commit: str
    path: str
    data_files: list[str]
    baseline: str

    @property
    def name(self) -> str:
        return f"{self.repo}/{self.path}"

    @property
    def slug(self) -> str:
        return re.sub(r"[^A-Za-z0-9_.-]+", "_", self.name)[-120:]


@dataclass
class Result:
    entry: Entry
    restored: bool = False
    verified: bool = False
    verdict: str = ""
    classes: dict[str, int] = field(default_factory=dict)
    shims: list[str] = field(default_factory=list)
    cause: str = ""
    seconds: float = 0.0
    papermill: str = ""
    papermill_seconds: float | None = None
    merged: str = ""  # the earlier table (--merge) this row is from; "" when run this time

    def row(self) -> dict[str, str]:
        return {
            "notebook": self.entry.name,
            "restored": "yes" if self.restored else "no",
            "verified": "yes" if self.verified else "no",
            "verdict": self.verdict,
            "classes": " ".join(f"{k}={v}" for k, v in sorted(self.classes.items())),
            "shims": " ".join(self.shims),
            "cause": self.cause,
            "seconds": f"{self.seconds:.1f}",
            "papermill": self.papermill,
            "papermill_seconds": ""
            if self.papermill_seconds is None
            else f"{self.papermill_seconds:.1f}",
        }


def from_row(entry: Entry, row: dict[str, str], table: str) -> Result:
    """A row of an earlier ``corpus.tsv`` as a result (``--merge``)."""
    pm_seconds = row.get("papermill_seconds") or ""
    return Result(
        entry,
        restored=row["restored"] == "yes",
        verified=row["verified"] == "yes",
        verdict=row["verdict"],
        classes={k: int(v) for k, v in (c.split("=", 1) for c in row["classes"].split())},
        shims=row["shims"].split(),
        cause=row["cause"],
        seconds=float(row["seconds"] or 0),
        papermill=row["papermill"],
        papermill_seconds=float(pm_seconds) if pm_seconds else None,
        merged=table,
    )


def merge(results: list[Result], corpus: list[Entry], earlier: list[Path]) -> list[Result]:
    """This run's results, and for every other notebook of the corpus its row in the last of
    the ``earlier`` tables that has one."""
    rows: dict[str, tuple[dict[str, str], str]] = {}
    for table in earlier:
        with table.open() as f:
            rows.update((r["notebook"], (r, str(table))) for r in csv.DictReader(f, delimiter="\t"))
    ran = {r.entry.name: r for r in results}
    out = []
    for entry in corpus:
        if entry.name in ran:
            out.append(ran[entry.name])
        elif entry.name in rows:
            out.append(from_row(entry, *rows[entry.name]))
    return out


def read_corpus(folder: Path) -> list[Entry]:
    baseline = {}
    with (folder / "baseline.tsv").open() as f:
        for row in csv.DictReader(f, delimiter="\t"):
            ran = row["ran_all_cells"] == "yes"
            baseline[(row["repo"], row["path"])] = "ran" if ran else (row["cause"] or "error")
    out = []
    with (folder / "notebooks.tsv").open() as f:
        for row in csv.DictReader(f, delimiter="\t"):
            data = [d for d in (row["data_files"] or "").split(",") if d]
            key = (row["repo"], row["path"])
            out.append(Entry(row["repo"], row["commit"], row["path"], data, baseline.get(key, "")))
    return out


def git_dir(mirrors: Path, repo: str) -> Path:
    folder = mirrors / repo.replace("/", "+")
    for candidate in (folder / "repo", folder):
        if (candidate / "HEAD").exists():
            return candidate
    raise SystemExit(f"no mirror of {repo} under {mirrors} (expected {folder}/repo)")


def restore(entry: Entry, mirrors: Path, dest: Path) -> Path:
    """The notebook and its data files at the pinned commit, in the repository's layout from
    the notebook's parent folder down (``../`` entries need it). Returns the notebook's path."""
    gd = git_dir(mirrors, entry.repo)
    nb_dir = Path(entry.path).parent
    wanted = [entry.path] + [
        os.path.normpath(nb_dir / d) + ("/" if d.endswith("/") else "") for d in entry.data_files
    ]
    base = (
        os.path.normpath(nb_dir.parent)
        if any(d.startswith("../") for d in entry.data_files)
        else str(nb_dir)
    )
    base = "" if base == "." else base
    for item in wanted:
        if item.endswith("/"):
            archive = subprocess.run(
                ["git", "--git-dir", str(gd), "archive", entry.commit, item],
                check=True,
                capture_output=True,
            ).stdout
            with tarfile.open(fileobj=_bytes_io(archive)) as tar:
                for member in tar.getmembers():
                    if member.isfile():
                        target = dest / os.path.relpath(member.name, base or ".")
                        target.parent.mkdir(parents=True, exist_ok=True)
                        extracted = tar.extractfile(member)
                        if extracted is not None:
                            target.write_bytes(extracted.read())
            continue
        blob = subprocess.run(
            ["git", "--git-dir", str(gd), "show", f"{entry.commit}:{item}"],
            check=True,
            capture_output=True,
        ).stdout
        target = dest / os.path.relpath(item, base or ".")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
    return dest / os.path.relpath(entry.path, base or ".")


def _bytes_io(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "JPY_", "XP_"))}
    env.update(
        HOME=str(home),
        XP_HOME=str(home / "xp"),
        MLFLOW_DISABLE_TELEMETRY="true",
        DO_NOT_TRACK="true",
        PYTHONWARNINGS="ignore",
    )
    return env


def _timed(
    args: list[str], notebook: Path, home: Path
) -> tuple[subprocess.CompletedProcess[str], float]:
    """``python -m ARGS`` in the notebook's folder with ``home`` as HOME, and its seconds."""
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=notebook.parent,
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=NOTEBOOK_LIMIT,
        check=False,
    )
    return proc, time.monotonic() - started


def run_papermill(notebook: Path, home: Path) -> tuple[str, float]:
    """Plain papermill, as the baseline ran it: ``ran`` or the first error's name."""
    home.mkdir(parents=True, exist_ok=True)
    out = "papermill-out.ipynb"
    args = ["papermill", notebook.name, out, "--execution-timeout", str(TIMEOUT), "-k", "python3"]
    proc, seconds = _timed([*args, "--no-progress-bar"], notebook, home)
    if proc.returncode == 0:
        return "ran", seconds
    ename = re.findall(r"^(\w+(?:Error|Exception|Interrupt|Exit)):", proc.stderr, re.M)
    return "error " + (ename[-1] if ename else "unknown"), seconds


def promote(notebook: Path, home: Path, template: Path | None) -> tuple[dict[str, Any], float]:
    """``jupyter xp promote NOTEBOOK --json`` in the notebook's folder with a fresh XP_HOME."""
    (home / "xp").mkdir(parents=True, exist_ok=True)
    if template is not None:  # a migrated store: no notebook pays MLflow's migrations
        shutil.copy(template, home / "xp" / "mlflow.db")
    args = ["jupyterlab_xp", "promote", notebook.name, "--json", "--cell-timeout", str(TIMEOUT)]
    proc, seconds = _timed(args, notebook, home)
    try:
        return json.loads(proc.stdout), seconds
    except json.JSONDecodeError:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"state": "failed", "error": tail[:300]}, seconds


# Failures that read alike in many notebooks, counted under one name.
CATEGORIES = (
    (
        re.compile(r"Missing parentheses in call to 'print'|name 'xrange' is not defined"),
        "Python 2 code",
    ),
    (re.compile(r"CellTimeoutError|timed out"), f"a cell ran past the {TIMEOUT} s timeout"),
    (re.compile(r"Kernel didn't respond|Kernel died"), "the kernel did not start or died"),
    (re.compile(r"No module named '([\w.]+)'"), "missing package: {0}"),
    (re.compile(r"import name '(\w+)' from '([\w.]+)'"), "removed import: {1}.{0}"),
    # An ImportError with no message of its own (scikit-learn's for load_boston): its line says
    (
        re.compile(r"^ImportError: *\(at line \d+: `from ([\w.]+) import (\w+)"),
        "removed import: {0}.{1}",
    ),
)


def cause_of(error: str | None) -> str:
    """A failure's cause in one line, short enough to count alike failures together."""
    if not error:
        return ""
    # "`first line` (cell 4 of the executed notebook; cell 1 (In [1])): Error: ..." -> the error
    text = re.sub(r"^seed \d+: ", "", error)
    text = re.sub(r"^`[^`]*` \(cell \d+ of the executed notebook.*?\): ", "", text)
    removal = re.search(r"; ((?:matplotlib|pandas|NumPy|scikit-learn)[^(;]* removed [^(;]*)", text)
    if removal:
        return removal.group(1).strip()
    tool = re.search(r"the program '(\w+)' is not installed", text)
    if tool:
        return f"missing program: {tool.group(1)}"
    for pattern, name in CATEGORIES:
        match = pattern.search(text)
        if match:
            return name.format(*match.groups())
    return text.split(" (at line")[0].split(" (raised")[0][:110]


def summarise(result: Result, job: dict[str, Any]) -> None:
    runs = (job.get("promotion") or {}).get("runs") or []
    run = runs[0] if runs else {}
    verification = run.get("verification") or {}
    outputs = verification.get("outputs") or {}
    result.classes = dict(outputs.get("classes") or {})
    result.verdict = str(job.get("verdict") or "")
    result.shims = sorted({s.get("name", "") for s in verification.get("shims") or []})
    result.restored = job.get("state") == "finished" and not run.get("error")
    result.verified = result.restored and result.verdict in PASSING
    if not result.restored:
        result.cause = cause_of(run.get("error") or job.get("error"))
    elif not result.verified:
        differs = [c for c in outputs.get("cells", []) if c.get("class") == "differs"]
        result.cause = f"outputs differ in {len(differs)} cell(s)" if differs else result.verdict


def one(entry: Entry, args: argparse.Namespace, template: Path | None) -> Result:
    result = Result(entry)
    folder = args.cache / "runs" / entry.slug
    shutil.rmtree(folder, ignore_errors=True)
    try:
        notebook = restore(entry, args.mirrors, folder / "promote")
    except subprocess.CalledProcessError as exc:
        result.cause = f"could not restore from the mirror: {exc.stderr.decode()[:200]}"
        return result
    if args.reuse_baseline:
        result.papermill = entry.baseline
    else:
        pm_notebook = restore(entry, args.mirrors, folder / "papermill")
        try:
            result.papermill, result.papermill_seconds = run_papermill(
                pm_notebook, folder / "papermill-home"
            )
        except subprocess.TimeoutExpired:
            result.papermill = "timeout"
    try:
        job, result.seconds = promote(notebook, folder / "home", template)
        summarise(result, job)
    except subprocess.TimeoutExpired:
        result.cause, result.seconds = "timeout (whole notebook)", float(NOTEBOOK_LIMIT)
    with _partial_lock, (args.out_dir / "corpus.partial.tsv").open("a") as f:
        f.write("\t".join(result.row().values()) + "\n")  # a long run's rows as they finish
    print(
        f"{entry.name}: restored={result.restored} verified={result.verified} "
        f"{result.seconds:.0f}s papermill={result.papermill} {result.cause}",
        flush=True,
    )
    return result


_partial_lock = threading.Lock()


def cached_job(entry: Entry, cache: Path) -> dict[str, Any] | None:
    """The notebook's last promotion in the cache, as ``promote --json`` printed it, with its
    verification recomputed from the executed notebook by today's rules (as the job's
    ``_verify`` does); None when the cache holds no promotion of it."""
    from jupyterlab_xp.promote import build, shims, verify
    from jupyterlab_xp.promote.source import from_notebook

    promotions = cache / "runs" / entry.slug / "home" / "xp" / "promotions"
    found = max(promotions.glob("*/status.json"), key=lambda p: p.stat().st_mtime, default=None)
    if found is None:
        return None
    status = json.loads(found.read_text())
    request = json.loads((found.parent / "request.json").read_text())
    job = {"state": status.get("state"), "verdict": status.get("verdict"), "promotion": status}
    job["error"] = status.get("error")
    run = (status.get("runs") or [{}])[0]
    executed_path = Path(run.get("executed_notebook") or "-")
    if not run.get("verification") or not executed_path.exists():
        return job
    src = from_notebook(Path(request["notebook"]))
    order = (status.get("order_repair") or {}).get("cells")
    cells = (
        build.planned_from_numbers(src, order)
        if request["order"] == "auto" and order
        else build.plan_cells(src, request["order"])
    )
    drop = {"injected-parameters", build.SHIMS_TAG}
    executed = {
        "cells": [
            c
            for c in json.loads(executed_path.read_text()).get("cells", [])
            if not drop & set(c.get("metadata", {}).get("tags", []))
        ]
    }
    used = run.get("shims") or []
    skipped = {u["cell"]: u["detail"] for u in used if u["name"] in shims.SKIPS}
    tolerance = request["tolerance"]
    name = Path(request["notebook"]).name
    outputs = verify.compare_outputs(cells, executed, tolerance, skipped, name)
    metrics = verify.compare_metrics(src.metrics, {}, tolerance)["verdict"]  # a notebook: none
    run["verification"] = {**run["verification"], "outputs": outputs}
    run["verification"]["verdict"] = job["verdict"] = verify.overall(metrics, outputs)
    return job


def reverify(results: list[Result], cache: Path) -> list[str]:
    """Each restored result's verification recomputed from the cache (:func:`cached_job`);
    the notebooks whose classes changed, with the old and new classes."""
    changed = []
    for result in results:
        job = cached_job(result.entry, cache) if result.restored else None
        if job is None:
            continue
        before = (result.verified, dict(result.classes))
        seconds, papermill, pm_seconds = result.seconds, result.papermill, result.papermill_seconds
        summarise(result, job)
        result.seconds, result.papermill, result.papermill_seconds = seconds, papermill, pm_seconds
        if (result.verified, result.classes) != before:
            old = " ".join(f"{k}={v}" for k, v in sorted(before[1].items()))
            new = " ".join(f"{k}={v}" for k, v in sorted(result.classes.items()))
            verified = f"verified {before[0]} -> {result.verified}"
            changed.append(f"{result.entry.name}: {old} -> {new} ({verified})")
    return changed


def migrated_store() -> Path | None:
    folder = Path(tempfile.mkdtemp(prefix="xp-corpus-store-"))
    env = _env(folder)
    code = (
        "from mlflow.tracking import MlflowClient; "
        f"MlflowClient(tracking_uri='sqlite:///{folder / 'mlflow.db'}').search_experiments()"
    )
    ok = subprocess.run([sys.executable, "-c", code], env=env, check=False).returncode == 0
    return folder / "mlflow.db" if ok else None


def compile_package() -> None:
    """Byte-compile the package's modules, as pip does when it installs the wheel.

    An editable install under ``PYTHONDONTWRITEBYTECODE`` (set on the machines this runs on)
    compiles the package's modules from source in every process a promotion starts (command
    line, job, kernel): about 0.1 s of CPU each, which an installed package does not pay, and
    which papermill, compiled in site-packages, does not pay either.
    """
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("jupyterlab_xp")
    if spec is not None and spec.origin is not None:
        compileall.compile_dir(str(Path(spec.origin).parent), quiet=1)


def overhead(extra: list[float]) -> str:
    """Median, p90 and max of promote's seconds minus papermill's, over how many notebooks."""
    ordered = sorted(extra)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return (
        f"median {statistics.median(ordered):.1f} s, p90 {p90:.1f} s, max {ordered[-1]:.1f} s "
        f"({len(ordered)} notebooks)"
    )


def markdown(results: list[Result], command: str) -> str:
    n = len(results)
    restored = sum(r.restored for r in results)
    verified = sum(r.verified for r in results)
    ran = [r for r in results if r.papermill == "ran"]
    regress = [r.entry.name for r in ran if not r.restored]
    both = [
        r.seconds - r.papermill_seconds
        for r in ran
        if r.restored and r.papermill_seconds is not None
    ]
    causes = Counter(r.cause for r in results if not r.restored)
    unverified = Counter(r.cause for r in results if r.restored and not r.verified)
    shims = Counter(s for r in results for s in r.shims)
    pct = lambda k: f"{k} of {n} ({100 * k / n:.1f} %)" if n else "0"  # noqa: E731
    sources = Counter(r.merged for r in results if r.merged)
    lines = [f"Corpus run of {dt.date.today().isoformat()}: `{command}`", ""]
    if sources:
        earlier = ", ".join(f"{k} from `{table}`" for table, k in sources.items())
        ran_now = n - sum(sources.values())
        lines += [f"Rows: {ran_now} run by this command; from earlier tables {earlier}.", ""]
    lines += [
        "| | notebooks |",
        "|---|---|",
        f"| papermill alone runs every cell | {pct(len(ran))} |",
        f"| promote restores (every cell runs, or raises what it stored) | {pct(restored)} |",
        f"| promote verifies (outputs match, within tolerance or up to randomness) | "
        f"{pct(verified)} |",
        f"| papermill runs it, promote does not | {len(regress)} |",
    ]
    if both:
        lines.append(f"| promote's seconds over papermill's where both run | {overhead(both)} |")
    lines += ["", "Why the rest did not restore:", "", "| count | cause |", "|---|---|"]
    lines += [f"| {k} | {c} |" for c, k in causes.most_common()]
    lines += ["", "Restored but not verified:", "", "| count | why |", "|---|---|"]
    lines += [f"| {k} | {c} |" for c, k in unverified.most_common()]
    if shims:
        lines += [
            "",
            "Compatibility shims used: " + ", ".join(f"{s} ({k})" for s, k in shims.most_common()),
        ]
    excused = Counter(k for r in results if r.restored for k in r.classes if k in EXCUSED)
    if excused:
        lines += [
            "",
            "Cells that differ without counting against the notebook (notebooks with such "
            "cells): " + ", ".join(f"{k} ({n})" for k, n in excused.most_common()),
        ]
    if regress:
        lines += ["", "Run by papermill, not restored: " + ", ".join(regress)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mirrors", type=Path, default=Path(os.environ.get("XP_CORPUS_MIRRORS", "/work/.mirror"))
    )
    parser.add_argument("--corpus", type=Path, default=SHARED, help="folder of notebooks.tsv")
    parser.add_argument("--cache", type=Path, default=HERE.parent / ".corpus-cache")
    parser.add_argument(
        "--out", type=Path, default=None, help="folder for corpus.tsv and corpus.md"
    )
    parser.add_argument("--only", help="only notebooks whose repo/path matches this regex")
    parser.add_argument("--limit", type=int, help="at most this many notebooks")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks at once (default 1)")
    parser.add_argument(
        "--reuse-baseline", action="store_true", help="papermill's column from baseline.tsv"
    )
    parser.add_argument(
        "--merge",
        type=Path,
        action="append",
        default=[],
        help="an earlier corpus.tsv (repeatable, later ones win): the notebooks not run now "
        "keep its rows in the table",
    )
    parser.add_argument(
        "--no-run", action="store_true", help="run nothing: the table of the --merge tables"
    )
    parser.add_argument(
        "--reverify",
        action="store_true",
        help="run nothing: the --merge tables with each notebook's verification recomputed "
        "from its promotion in the cache by today's rules",
    )
    args = parser.parse_args(argv)
    corpus = entries = read_corpus(args.corpus)
    if args.only:
        entries = [e for e in entries if re.search(args.only, e.name)]
    entries = entries[: args.limit] if args.limit else entries
    entries = [] if args.no_run or args.reverify else entries
    args.cache.mkdir(parents=True, exist_ok=True)
    out = args.out_dir = args.out or args.cache
    out.mkdir(parents=True, exist_ok=True)
    (out / "corpus.partial.tsv").write_text("\t".join(COLUMNS) + "\n")
    template = migrated_store() if entries else None
    if entries:
        compile_package()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda e: one(e, args, template), entries))
    if args.merge:
        results = merge(results, corpus, args.merge)
    changed = reverify(results, args.cache) if args.reverify else []
    with (out / "corpus.tsv").open("w", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS, delimiter="\t")
        writer.writeheader()
        writer.writerows(r.row() for r in results)
    command = "python benchmarks/corpus.py " + " ".join(argv if argv is not None else sys.argv[1:])
    summary = markdown(results, command.strip())
    if args.reverify:
        summary += (
            "\nVerification recomputed from the cache with today's rules; classes changed in "
            f"{len(changed)} notebook(s):\n\n" + "".join(f"- {c}\n" for c in changed)
        )
    (out / "corpus.md").write_text(summary)
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
