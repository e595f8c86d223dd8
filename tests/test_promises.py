"""README promises that no other test held: each test names the phrase it backs (docs/claims.md)."""

from __future__ import annotations

import ast
import inspect
import json
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from mlflow.exceptions import MlflowException
from mlflow.protos import databricks_pb2 as codes

import jupyterlab_xp as xp
import userdocs
from jupyterlab_xp.core import tags
from jupyterlab_xp.core.secrets import redact
from jupyterlab_xp.kernel import recorder as recorder_module
from jupyterlab_xp.kernel import run as run_module
from jupyterlab_xp.kernel import splits
from jupyterlab_xp.kernel.recorder import get_recorder
from jupyterlab_xp.kernel.sampler import SystemSampler
from jupyterlab_xp.promote import cellcheck, imagehash, repair, verify
from jupyterlab_xp.server.app import XpExtensionApp
from jupyterlab_xp.store import liveness
from jupyterlab_xp.store.mlflow_store import HTTP_DEFAULTS, MlflowStore
from jupyterlab_xp.views import export, paired, stats


def _ts_constant(name: str) -> int:
    """A number exported from the panel's src/tokens.ts (``export const NAME = 2000;``)."""
    text = (Path(__file__).parent.parent / "src" / "tokens.ts").read_text()
    match = re.search(rf"export const {name} = ([0-9_]+);", text)
    assert match, name
    return int(match.group(1).replace("_", ""))


def _sampler_defaults() -> tuple[Any, Any]:
    """The sampler's interval and samples per report: the recorder passes neither."""
    defaults = inspect.signature(SystemSampler).parameters
    return defaults["interval"].default, defaults["report_every"].default


# (phrase of the README or a site page, the code's figure, the figure the phrase states). The
# behaviour behind each is tested elsewhere (docs/claims.md); this keeps the number the docs
# state the code's number.
FIGURES = [
    ("updates every two seconds", _ts_constant("POLL_INTERVAL"), 2000),
    ("at most 2 s while the store is failing", recorder_module.CELL_WAIT_SECONDS, 2.0),
    ("at most 30 s while it answers slowly", recorder_module.RUN_ID_WAIT_SECONDS, 30.0),
    ("until the run exists (at most 30 s)", recorder_module.RUN_ID_WAIT_SECONDS, 30.0),
    ("records are in (at most 60 s)", recorder_module.STOP_FLUSH_SECONDS, 60.0),
    ("`%xp stop` waits 1 s for a failing store", run_module.STOP_WHEN_FAILING_SECONDS, 1.0),
    (
        "`MLFLOW_HTTP_REQUEST_MAX_RETRIES=3`",
        HTTP_DEFAULTS["MLFLOW_HTTP_REQUEST_MAX_RETRIES"],
        "3",
    ),
    ("`..._BACKOFF_FACTOR=1`", HTTP_DEFAULTS["MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR"], "1"),
    ("`..._TIMEOUT=30`", HTTP_DEFAULTS["MLFLOW_HTTP_REQUEST_TIMEOUT"], "30"),
    ("(default 300;", liveness.DEFAULT_TIMEOUT, 300.0),
    ("every `min(60 s, timeout / 3)`", liveness.heartbeat_interval(300.0), 60.0),
    ("every `min(60 s, timeout / 3)`", liveness.heartbeat_interval(30.0), 10.0),
    ("The panel's server (every 30 s)", XpExtensionApp().recover_interval, 30.0),
    ("sampled every second, averaged over 10 s", _sampler_defaults(), (1.0, 10)),
    ("at most 10,000", export.MAX_EXPORT, 10_000),
    ("9,999 resamples", stats.RESAMPLES, 9999),
    ("exact when the splits number at most 200,000", stats.EXACT_SPLITS, 200_000),
    ("up to 16 differing examples", paired.EXACT_FLIPS, 16),
    ("A group of fewer than 5 seeds is flagged", stats.FEW_SEEDS, 5),
    ("exact binomial below 25 discordant examples", paired.EXACT_BELOW, 25),
    ("default 1e-6", verify.DEFAULT_TOLERANCE, 1e-6),
    ("an absolute floor of 1e-12", verify.ABS_TOLERANCE, 1e-12),
    ("similarity ≥ 0.9", imagehash.SIMILAR, 0.9),
    ("capped at 2,000 characters", cellcheck.TEXT_CAP, 2000),
    ("at most three (four runs in all)", repair.MAX_RUNS, 4),
    ("Fractions must sum to 1 (within 1e-9)", splits.FRACTION_TOLERANCE, 1e-9),
]


@pytest.mark.parametrize(("phrase", "actual", "stated"), FIGURES, ids=[f[0] for f in FIGURES])
def test_the_figures_the_readme_states_are_the_codes(phrase: str, actual: Any, stated: Any) -> None:
    assert userdocs.anywhere(phrase), "neither the README nor a site page says this: update FIGURES"
    assert actual == stated, phrase


def test_a_secret_without_a_shape_or_a_telling_name_is_left_as_text() -> None:
    # README: "cannot be told from ordinary text" - the limit the README owns up to. Should a
    # detector ever catch these, the README's advice is still right but its limit is stale.
    for text in ('x = "hunter2"', "hunter2", "print(password)\nhunter2"):
        assert redact(text) == (text, []), text


def _down_store(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Make every run creation fail as a server that is down would; clear the event to recover."""
    down = threading.Event()
    down.set()
    real_create = MlflowStore.create_run

    def create_run(self: Any, *args: Any, **kwargs: Any) -> str:
        if down.is_set():
            raise MlflowException("Connection refused", error_code=codes.INTERNAL_ERROR)
        return real_create(self, *args, **kwargs)

    monkeypatch.setattr(MlflowStore, "create_run", create_run)
    return down


def test_the_split_warning_is_looked_up_on_the_sync_thread(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # README: "looked up on the sync thread, never in the cell"
    # Given a store that notes the thread of every search for a split's tags
    searched_on: list[str] = []
    real_search = MlflowStore.search_runs

    def search_runs(self: Any, *args: Any, **kwargs: Any) -> Any:
        if tags.SPLIT_PREFIX in repr((args, kwargs)):  # the split's own lookup, no other search
            searched_on.append(threading.current_thread().name)
        return real_search(self, *args, **kwargs)

    monkeypatch.setattr(MlflowStore, "search_runs", search_runs)
    # When a run makes a test split
    run = xp.start("split-lookup", experiment="split-lookup", seed=1)
    xp.split(20, {"train": 0.5, "test": 0.5}, seed=0)
    cell_thread = threading.current_thread().name
    xp.stop()
    assert get_recorder().worker.flush(run._run.sync, 60)
    assert get_recorder().worker.flush(None, 60)  # the lookup is a task of its own
    # Then the previous run was looked up, and never on the thread that made the split
    assert searched_on
    assert cell_thread not in searched_on


def test_a_checkpoint_is_on_disk_while_the_store_is_down(
    xp_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # README: "the cell never waits for the store"
    # Given a run whose store is down from its start
    down = _down_store(monkeypatch)
    run = xp.start("offline-checkpoint", seed=1)
    # When a checkpoint is taken
    saved = xp.checkpoint("state", step=3, extra={"best": 0.5})
    # Then it is whole in the run folder although the store never answered
    folder = Path(saved["folder"])
    assert folder.is_relative_to(xp_home / "runs") and (folder / tags.CHECKPOINT_METADATA).is_file()
    assert run._run.run_id is None
    # (and the store was down: the sync thread's first attempt may end after the checkpoint)
    deadline = time.monotonic() + 60
    while not get_recorder().worker.store_failing and time.monotonic() < deadline:
        time.sleep(0.05)
    assert get_recorder().worker.store_failing and run._run.run_id is None
    xp.stop()
    # And once the store is back the same run gets it
    down.clear()
    assert get_recorder().worker.flush(run._run.sync, 60)
    assert run._run.sync.ended


@pytest.mark.stores("team")
def test_journals_stay_local_with_a_team_store(store: Any, xp_home: Path) -> None:
    # README: "Journals and sync state always stay local"
    # Given the team server as the store; When a run records and stops
    run = xp.start("local-journal", seed=1)
    xp.log({"val/loss": 0.5}, step=1)
    xp.stop()
    assert get_recorder().worker.flush(run._run.sync, 60)
    # Then its journal and sync state are in $XP_HOME/runs/<local id>/ on this machine...
    folder = run._run.dir
    assert folder.parent == xp_home / "runs" and (folder / "journal.jsonl").is_file()
    local = {p.name for p in folder.iterdir()}
    # ...and the store holds the run, not the folder
    artifacts = {a.path for a in store.client.list_artifacts(run.run_id, "xp")}
    assert "journal.jsonl" in local and not any(a.startswith("runs/") for a in artifacts)


@pytest.mark.kernel
def test_the_recorder_keeps_no_output_and_start_imports_no_torch(
    kernel_factory: Any, store: Any, xp_home: Path
) -> None:
    # README: "the recorder itself keeps no cell's output, only error messages"
    # docs/design.md: "torch is seeded when it is already imported, and otherwise by an import
    #   hook when the user imports it"
    # Given a fresh kernel that records a run
    k = kernel_factory()
    assert k.execute("%load_ext jupyterlab_xp\n%xp start quiet-outputs --seed 1")["status"] == "ok"
    # Then starting the run imported no torch
    assert k.execute("import sys\nprint('torch' in sys.modules)")["stdout"].strip() == "False"
    # When a cell prints, another shows a value, and a third raises
    # (each output is built by the cell, so its text appears in no source)
    marker, shown, error = "PRINTED-8c1f", "shown-52aa", "RAISED-77d0"
    assert marker in k.execute("print('PRINTED' + '-8c1f')")["stdout"]
    assert shown in k.execute("'SHOWN-52AA'.lower()")["stdout"]
    assert k.execute(f"raise ValueError({error!r})")["status"] == "error"
    assert k.execute("%xp stop")["status"] == "ok"
    run = store.search_runs()[0]
    # Then the run folder and the store hold the sources and the error, no output
    folder = next((xp_home / "runs").iterdir())
    local = "".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())
    stored_dir = Path(store.client.download_artifacts(run.info.run_id, "xp", str(xp_home / "dl")))
    stored = "".join(p.read_text(errors="replace") for p in stored_dir.rglob("*") if p.is_file())
    for text in (local, stored):
        assert error in text and "'PRINTED' + '-8c1f'" in text
        assert marker not in text and shown not in text


def _imported_packages(package: str) -> set[str]:
    """The jupyterlab_xp packages that the modules of ``package`` import."""
    root = Path(xp.__file__).parent
    found: set[str] = set()
    for path in (root / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            found |= {n.split(".")[1] for n in names if n.startswith("jupyterlab_xp.")}
    return found


def test_kernel_and_server_code_never_import_each_other() -> None:
    # docs/design.md: "The kernel and the server do not talk to each other: they meet in the store."
    assert {"core", "store"} <= _imported_packages("kernel")  # the scan sees imports
    assert "server" not in _imported_packages("kernel")
    assert "kernel" not in _imported_packages("server")


def test_the_heartbeat_beats_on_a_thread_of_its_own(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # README: "never on a cell's path, skipped while the store is failing" (the skipping:
    # tests/test_liveness.py)
    # Given a short heartbeat timeout (a beat every 0.2 s) and beats that note their thread
    monkeypatch.setenv(liveness.TIMEOUT_ENV, "0.6")
    beats_on: list[str] = []
    real_beat = liveness.Heartbeat.beat

    def beat(self: Any) -> bool:
        beats_on.append(threading.current_thread().name)
        return real_beat(self)

    monkeypatch.setattr(liveness.Heartbeat, "beat", beat)
    # When a run records until its heartbeat has beaten a few times
    run = xp.start("beating", seed=1)
    for _ in range(600):
        if len(beats_on) >= 3:
            break
        xp.log({"val/loss": 0.5}, step=len(beats_on))
        time.sleep(0.1)
    cell_thread = threading.current_thread().name
    xp.stop()
    assert get_recorder().worker.flush(run._run.sync, 60)
    # Then it beat, and never on the thread that runs the cells
    assert len(beats_on) >= 3
    assert cell_thread not in beats_on


def _panel_sources() -> dict[str, str]:
    """The extension's TypeScript (tests left out), by path relative to src/."""
    src = Path(__file__).parent.parent / "src"
    return {
        str(p.relative_to(src)): p.read_text()
        for p in sorted([*src.rglob("*.ts"), *src.rglob("*.tsx")])
        if "__tests__" not in p.parts
    }


def test_the_panel_meets_the_recorder_only_in_the_store() -> None:
    # docs/design.md: "The kernel and the server do not talk to each other" (the toolbar's Record
    # button "runs `%load_ext jupyterlab_xp` and `%xp start` in the kernel, as a user would")
    sources = _panel_sources()
    assert "api/handler.ts" in sources  # the scan sees the extension
    # Only the request helper makes HTTP requests: everything goes through the REST API
    requests = {p for p, text in sources.items() if "ServerConnection.makeRequest(" in text}
    assert requests == {"api/handler.ts"}
    # No comm channel to a kernel anywhere
    assert not [
        p for p, text in sources.items() if re.search(r"\b(createComm|registerCommTarget)\b", text)
    ]
    # And one module executes code in a kernel: the Record button, with exactly these magics
    executing = {p for p, text in sources.items() if "requestExecute(" in text}
    assert executing == {"notebook/recording.tsx"}
    executed = re.findall(r"'(%[^']*)'", sources["notebook/recording.tsx"])
    assert set(executed) == {"%xp stop", "%load_ext jupyterlab_xp", "%xp start"}


def test_a_sweeps_storage_password_reaches_no_tag_and_no_file(
    store: Any, xp_home: Path, postgres: Any
) -> None:
    # README: "never written to a tag or a file" (the sweep storage URL's password)
    import optuna

    from jupyterlab_xp.promote.source import from_notebook
    from jupyterlab_xp.sweep import sweeps

    # Given a PostgreSQL study storage whose URL holds a password (the test cluster trusts all)
    password = "pw-7f3e9a1c"
    plain = postgres.create_database(f"optuna_{uuid.uuid4().hex[:8]}")
    url = plain.replace("postgres@", f"postgres:{password}@")
    notebook = Path(__file__).parent / "fixtures" / "sweep_tiny.ipynb"
    # When a sweep is created on it
    sweep = sweeps.create(
        store, from_notebook(notebook), url, params=["x=uniform:0:1"], objective="val/score"
    )
    # Then the parent run's tags and params, the answer, the study's attributes and every
    # file under $XP_HOME name the storage without the password
    run = store.get_run(sweep["run_id"])
    assert run.data.tags[tags.SWEEP_STORAGE] == plain.replace("postgres@", "")  # no credentials
    study = optuna.load_study(study_name=sweep["study"], storage=plain)
    written = json.dumps(
        [run.data.tags, run.data.params, sweep, study.user_attrs],
        default=str,
    )
    files = [p for p in xp_home.rglob("*") if p.is_file()]
    assert password not in written
    assert not [p for p in files if password.encode() in p.read_bytes()]


def test_nothing_captured_reaches_an_html_renderer() -> None:
    # README: "Everything captured is shown as text, never as HTML" - the rendering paths, read
    # from the code (the Galata test shows one hostile run; this covers every component)
    sources = _panel_sources()
    # No component hands a string to the DOM as HTML
    raw = [
        p for p, text in sources.items() if re.search(r"dangerouslySetInnerHTML|innerHTML", text)
    ]
    assert not raw
    # The one renderer is the note's: Markdown written by people, through the sanitizer
    renderers = {p for p, text in sources.items() if "createRenderer(" in text}
    assert renderers == {"components/runDetail/Markdown.tsx"}
    assert "createRenderer('text/markdown')" in sources["components/runDetail/Markdown.tsx"]
    # And the notebook widgets use ipywidgets that show text, never w.HTML or w.HTMLMath (a
    # Checkbox's description is text unless description_allow_html says otherwise)
    widgets = (Path(xp.__file__).parent / "frontends" / "widgets.py").read_text()
    used = set(re.findall(r"\bw\.([A-Z]\w*)\(", widgets))
    assert used and used <= {
        "Label",
        "Textarea",
        "VBox",
        "HBox",
        "GridBox",
        "Layout",
        "Tab",
        "Checkbox",
    }, used
    assert "allow_html" not in widgets


class _Guarded(dict[str, str]):
    """An environment whose secret values fail when read, noting every value read."""

    def __init__(self, values: dict[str, str], secret: set[str]) -> None:
        super().__init__(values)
        self.secret, self.read = secret, set()

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        if key in self.secret:
            raise AssertionError(f"{key} was read")
        return super().__getitem__(key)

    def items(self) -> Any:  # a dict's items() would hand out every value unseen
        return [(k, self[k]) for k in self]

    def values(self) -> Any:
        return [self[k] for k in self]


def test_secret_environment_variables_are_never_read() -> None:
    # README: "`AWS_SECRET_ACCESS_KEY`, `HF_TOKEN` and the like are never read at all"
    from jupyterlab_xp.core.redact import redact_env

    # Given an environment with secrets whose values fail when read
    secret = {"AWS_SECRET_ACCESS_KEY", "HF_TOKEN", "GITHUB_TOKEN", "OPENAI_API_KEY"}
    env = _Guarded({**dict.fromkeys(secret, "canary"), "OMP_NUM_THREADS": "4"}, secret)
    # When the environment is captured, Then only the allow-listed value was read
    assert redact_env(env) == {"OMP_NUM_THREADS": "4"}
    assert env.read == {"OMP_NUM_THREADS"}


def _runtime_imports(tree: ast.Module) -> set[str]:
    """Modules imported outside ``if TYPE_CHECKING:`` blocks, at any depth."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def test_exactly_one_module_imports_mlflow() -> None:
    # README: "Exactly one module (`store/mlflow_store.py`) talks to MLflow" - the import-linter
    # contract keeps mlflow out of every package but store; this checks the store's modules too
    root = Path(xp.__file__).parent
    importing = {
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if any(
            m == "mlflow" or m.startswith("mlflow.")
            for m in _runtime_imports(ast.parse(path.read_text()))
        )
    }
    assert importing == {"store/mlflow_store.py"}
