"""What a promotion starts from: a recorded run (journal, prelude, snapshot) or a notebook file.

A run recorded on this machine is read from its folder in XP_HOME, whose journal holds the exact
code; a run recorded elsewhere from the store, whose copy has secrets redacted: such a copy is
refused when its code lost a secret, rather than run with ``<redacted>`` in it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyterlab_xp.capture.parameters import parameters_from_source
from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.files import read_json
from jupyterlab_xp.core.secrets import REDACTED
from jupyterlab_xp.journal import summary
from jupyterlab_xp.journal.jsonl import read_journal
from jupyterlab_xp.journal.rundir import ARTIFACTS_DIR, JOURNAL_FILE
from jupyterlab_xp.promote import trust
from jupyterlab_xp.promote.params import check_name, typed
from jupyterlab_xp.store.mlflow_store import MlflowStore

_START = re.compile(r"^\s*%xp\s+start\b.*?--seed[ =](\d+)", re.MULTILINE)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def cell_source(cell: dict[str, Any]) -> str:
    """A notebook cell's source as one string (nbformat allows a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def sha256(text: str) -> str:
    """The journal's checksum of a cell source."""
    return hashlib.sha256(text.encode()).hexdigest()


def safe_name(text: str) -> str:
    """A folder name made from a notebook or run name (the server chooses output names)."""
    name = _SAFE_NAME.sub("-", text).strip("-.")[:80]
    return name or "promoted"


@dataclass
class Source:
    """Everything a promotion needs to know about what it promotes."""

    name: str
    version: str  # the bundle folder below the name: the source run, or the notebook content
    run_id: str | None = None
    experiment: str | None = None
    notebook_path: Path | None = None  # the file on disk, when there is one
    notebook: dict[str, Any] | None = None  # the notebook JSON (file, or the run's snapshot)
    executions: list[dict[str, Any]] = field(default_factory=list)  # cells.jsonl
    prelude: list[dict[str, Any]] = field(default_factory=list)  # inputs before %xp start
    params: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    lock: str | None = None  # as recorded: bundle.lock_text keeps its checked pins only
    python: str | None = None
    pythonhashseed: str | None = None
    deterministic: bool = False
    order_verdict: dict[str, Any] | None = None
    # Who recorded it, where and when, as the run says (shown before anything runs).
    provenance: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # store values left out, and why (trust.py)
    # What xp.param(cfg) recorded: the resolved config and its type's schema (dotted overrides).
    config: dict[str, Any] | None = None
    config_schema: dict[str, Any] | None = None

    @property
    def code_cells(self) -> list[dict[str, Any]]:
        """The notebook's code cells (empty without a notebook)."""
        cells = (self.notebook or {}).get("cells", [])
        return [c for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]

    @property
    def parameters_cell(self) -> dict[str, Any] | None:
        """The notebook's cell tagged ``parameters`` (papermill's convention), if any."""
        for cell in self.code_cells:
            if "parameters" in cell.get("metadata", {}).get("tags", []):
                return cell
        return None


def _identifier_params(params: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    dropped: list[str] = []
    for key, value in params.items():
        if key == tags.SEED_PARAM:
            continue
        try:
            out[check_name(key)] = value
        except XpError:
            dropped.append(key)  # e.g. "dataset.train": a recorded param, not a variable
    note = trust.identifier_notes(dropped)
    if note:
        notes.append(note)
    return out


def _dicts(items: Any) -> list[dict[str, Any]]:
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def from_run(store: MlflowStore, run_id: str, root: Path | None = None) -> Source:
    """Load a recorded run: LookupError when there is none, XpError when it cannot be promoted.

    ``root`` is the folder a notebook path recorded elsewhere must lie in for the job to run
    there (the server's root, the CLI's working folder); see :mod:`jupyterlab_xp.promote.trust`.
    """
    from jupyterlab_xp.store import boundary

    run = store.get_run(boundary.check_run_id(run_id))
    if run is None:
        raise LookupError(f"no run {run_id}")
    if run.info.status == tags.RUNNING:
        raise XpError(f"run {run_id} is still running: stop it (%xp stop) before promoting it")
    run_tags = dict(run.data.tags)

    def artifact(name: str) -> str | None:
        return store.artifacts.read_text(run_id, f"{tags.ARTIFACT_DIR}/{name}")

    def parsed(name: str) -> Any:
        try:
            return boundary.artifact(name, artifact(name))
        except boundary.Unreadable as exc:
            raise XpError(f"run {run_id} cannot be promoted: {exc}") from None

    local = _local_folder(store, run_id, run_tags)
    params = {k: typed(v) for k, v in run.data.params.items()}
    notes: list[str] = []
    notebook_tag = run_tags.get(tags.NOTEBOOK_PATH)
    if local is not None:  # recorded here: the journal has the exact code
        records = list(read_journal(local / JOURNAL_FILE))
        executions = summary.cell_executions(records)
        start = next((r for r in records if r.get("type") == "run_start"), {})
        prelude = start.get("prelude") or []
        # The notebook path this machine recorded, from its own journal.
        notebook_path = trust.journal_notebook((start.get("tags") or {}).get(tags.NOTEBOOK_PATH))
        params.update(_journal_params(records))
        snapshot = local / ARTIFACTS_DIR / tags.NOTEBOOK_ARTIFACT
        notebook = read_json(snapshot) if snapshot.is_file() else None
    else:
        executions, problem = boundary.cells(artifact(tags.CELLS_ARTIFACT))
        if problem:  # replaying part of the code would not reproduce the run
            raise XpError(f"run {run_id} cannot be promoted: {problem}")
        prelude = parsed(tags.PRELUDE_ARTIFACT) or []
        notebook = parsed(tags.NOTEBOOK_ARTIFACT)
    executions, prelude = _dicts(executions), _dicts(prelude)
    if not executions:
        raise XpError(f"run {run_id} recorded no cell executions, so there is nothing to replay")
    if local is None:
        refuse_redacted(
            run_id,
            executions,
            prelude,
            notebook,
            run.data.params,
            parsed(tags.REDACTIONS_ARTIFACT),
        )
        # A tag anyone who can write the run may have set: confined, like a browser's path.
        notebook_path = _noted(trust.recorded_notebook(notebook_tag, root), notes)
    environment = parsed(tags.ENVIRONMENT_ARTIFACT) or {}
    python = environment.get("python") if isinstance(environment, dict) else None
    python = python if isinstance(python, dict) else {}
    lock = artifact(tags.LOCK_ARTIFACT)
    _noted(trust.package_lock(lock), notes)  # bundle.lock_text writes its checked pins only
    tagged_name = trust.one_line(str(notebook_tag or "")).rsplit("/", 1)[-1].removesuffix(".ipynb")
    name_from = tagged_name or run_tags.get(tags.MLFLOW_RUN_NAME) or "run"
    experiment = store.experiment_names().get(run.info.experiment_id)
    order_verdict = parsed(tags.ORDER_ARTIFACT)
    config, config_schema = (_config_file(artifact, n, notes) for n in _CONFIG_FILES)
    return Source(
        name=safe_name(name_from),
        version=f"run-{run_id[:8]}",
        run_id=run_id,
        experiment=experiment,
        notebook_path=notebook_path,
        notebook=notebook if isinstance(notebook, dict) else None,
        executions=executions,
        prelude=prelude,
        params=_identifier_params(params, notes),
        seed=trust.seed(run.data.params.get(tags.SEED_PARAM)),
        metrics=dict(run.data.metrics),
        lock=lock,
        python=_noted(trust.python_version(python.get("version")), notes),
        pythonhashseed=trust.pythonhashseed(run_tags.get(tags.PYTHONHASHSEED)),
        deterministic=run_tags.get(tags.DETERMINISTIC) == "true",
        order_verdict=order_verdict if isinstance(order_verdict, dict) else None,
        provenance={
            "run_id": run_id,
            "host": run_tags.get(tags.HOST),
            "user": _known(run_tags.get(tags.MLFLOW_USER) or run.info.user_id),
            "notebook": notebook_tag,
            "recorded": run.info.start_time,
            "experiment": experiment,
            "code_from": "journal" if local is not None else "store",
        },
        notes=notes,
        config=config,
        config_schema=config_schema,
    )


_CONFIG_FILES = (tags.CONFIG_ARTIFACT, tags.CONFIG_SCHEMA_ARTIFACT)


def _config_file(read: Any, name: str, notes: list[str]) -> dict[str, Any] | None:
    """A recorded config file, or None with a note: only dotted overrides need it, so one
    that does not parse leaves them out rather than the whole promotion."""
    from jupyterlab_xp.store import boundary

    try:
        value = boundary.artifact(name, read(name))
    except boundary.Unreadable as exc:
        notes.append(f"the recorded config is left out, so no dotted overrides: {exc}")
        return None
    return value if isinstance(value, dict) else None


def _known(user: object) -> str | None:
    """A user name MLflow recorded; None for its ``unknown`` (and for no name)."""
    return str(user) if user and user != "unknown" else None


def _noted(checked: tuple[Any, str | None], notes: list[str]) -> Any:
    """The value of a :mod:`trust` check, its note (if any) added to ``notes``."""
    value, note = checked
    if note:
        notes.append(note)
    return value


def _local_folder(store: MlflowStore, run_id: str, run_tags: dict[str, str]) -> Path | None:
    """The run's folder in XP_HOME when this machine recorded it, else None.

    The tag naming the folder comes from the store: the folder counts only when its own sync
    state names this run.
    """
    from jupyterlab_xp.store import boundary

    folder = boundary.local_run_folder(store.location.runs_dir, run_id, run_tags.get(tags.LOCAL_ID))
    return folder if folder is not None and (folder / JOURNAL_FILE).is_file() else None


def _journal_params(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The params as journaled (exact), the first value of each winning as in MLflow."""
    out: dict[str, Any] = {}
    for rec in records:
        for key, value in (rec.get("params") or {}).items():
            out.setdefault(str(key), typed(str(value)))
    return out


def refuse_redacted(
    run_id: str,
    executions: list[dict[str, Any]],
    prelude: Any,
    notebook: Any,
    params: dict[str, str],
    places: Any,
) -> None:
    """Raise XpError when the store copy's code or params had a secret redacted.

    The message names the cells and params, and the variables the secrets were assigned to
    (from ``xp/redactions.json``), so that the user can read them from the environment.
    """
    spots: list[str] = []
    for ex in executions:
        if REDACTED in str(ex.get("source", "")):
            spots.append(f"cell {ex.get('seq')}")
    for item in prelude if isinstance(prelude, list) else []:
        if isinstance(item, dict) and REDACTED in str(item.get("source", "")):
            spots.append(f"before start, In [{item.get('execution_count')}]")
    cells = notebook.get("cells", []) if isinstance(notebook, dict) else []
    for number, cell in enumerate(cells, start=1):
        is_code = isinstance(cell, dict) and cell.get("cell_type") == "code"
        if is_code and REDACTED in cell_source(cell):
            spots.append(f"notebook cell {number}")
    spots += [f"param {key}" for key, value in params.items() if REDACTED in value]
    if not spots:
        return
    names: dict[str, list[str]] = {}
    for place in places if isinstance(places, list) else []:
        if isinstance(place, dict) and isinstance(place.get("names"), list):
            found = [str(n) for n in place["names"] if str(n).isidentifier()]
            names.setdefault(str(place.get("where")), []).extend(found)
    listed = [
        spot + (f": {', '.join(dict.fromkeys(names[spot]))}" if names.get(spot) else "")
        for spot in dict.fromkeys(spots)
    ]
    example = next((n for spot in spots for n in names.get(spot, [])), "api_key")
    raise XpError(
        f"run {run_id[:8]} was stored with secrets redacted ({'; '.join(listed[:8])}"
        f"{'; ...' if len(listed) > 8 else ''}), so its store copy cannot be replayed: read "
        f'each secret from an environment variable instead ({example} = os.environ["'
        f'{example.upper()}"]), or pass it as a parameter, and record the run again; or '
        "promote it on the machine that recorded it, whose journal has the exact code"
    )


def from_notebook(path: Path) -> Source:
    """Load a notebook file (recorded elsewhere, or never): its cells, outputs and parameters."""
    try:
        raw = path.read_bytes()
        notebook = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise XpError(f"cannot read notebook {path.name}: {exc}".splitlines()[0]) from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise XpError(f"{path.name} is not a notebook (no cells)")
    source = Source(
        name=safe_name(path.stem),
        version=f"nb-{hashlib.sha256(raw).hexdigest()[:8]}",
        notebook_path=path,
        notebook=notebook,
        provenance={"notebook": str(path), "code_from": "notebook"},
    )
    parameters = source.parameters_cell
    if parameters is not None:
        found = parameters_from_source(cell_source(parameters), None)
        source.params = _identifier_params(found, source.notes)
    for cell in source.code_cells:
        match = _START.search(cell_source(cell))
        if match:
            source.seed = int(match.group(1))
            break
    return source
