"""The one parsing boundary for store content: tags and ``xp/`` files become bounded, typed values.

Anyone who can write to a shared tracking store can write any tag and any file into any run,
so nothing read back from it is trusted. Every tag and artifact the product reads is parsed
here, once, with explicit caps (bytes, nesting depth, rows); past this module code handles
typed values only. A value that does not parse costs only that field of that run: the caller
gets :class:`Unreadable` (one line, the reason), shows the field as unreadable and goes on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.files import read_json
from jupyterlab_xp.journal.rundir import STATE_FILE

MAX_JSON_BYTES = 16 << 20  # one xp/ JSON file; the recorder writes kilobytes
MAX_CELLS_BYTES = 64 << 20  # xp/cells.jsonl, every cell's source
MAX_DEPTH = 64  # the recorder's own files nest less than 10 deep
MAX_CELLS = 20_000  # cell executions shown for one run
MAX_LIST_ITEMS = 100_000  # items in one list of a JSON file

# MLflow's run ids are 32 hex digits; any ASCII letters and digits up to 64 are accepted so that
# another MLflow server's ids work too. ASCII only: "٣٣٣".isalnum() is True.
_RUN_ID = re.compile(r"[A-Za-z0-9]{1,64}", re.ASCII)
# A run folder's name in XP_HOME/runs (the xp.local_id tag names it).
_LOCAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}", re.ASCII)
_COUNT = re.compile(r"[0-9]{1,9}", re.ASCII)


class Unreadable(ValueError):
    """Store content that does not parse; ``str()`` is one line saying why."""


def is_run_id(value: object) -> bool:
    """True for a run id (or a prefix of one) as this product accepts them."""
    return isinstance(value, str) and _RUN_ID.fullmatch(value) is not None


def check_run_id(value: str) -> str:
    """``value`` when it is a run id (:func:`is_run_id`); else an XpError (a 400)."""
    if not is_run_id(value):
        raise XpError(f"not a run id: {value[:80]!r}")
    return value


def local_id(value: object) -> str | None:
    """The run folder name a tag holds, or None when it could not name a folder in XP_HOME."""
    ok = isinstance(value, str) and _LOCAL_ID.fullmatch(value) and value not in (".", "..")
    return value if ok and isinstance(value, str) else None


def local_run_folder(runs_dir: Path, run_id: str, tag: str | None) -> Path | None:
    """The folder in ``runs_dir`` that the run's ``xp.local_id`` tag names, when it is this run's.

    Anyone can copy another run's tag into theirs; the folder's own sync state, written by this
    machine's recorder, names the MLflow run it belongs to, and only that run gets the folder
    (its journal, its checkpoints, the trust this machine gives its own files).
    """
    name = local_id(tag)
    if name is None:
        return None
    folder = runs_dir / name
    state = read_json(folder / STATE_FILE)
    if not isinstance(state, dict) or state.get("run_id") != run_id:
        return None
    return folder


def count(value: str | None, what: str) -> int:
    """A count tag (``xp.cells``, ``xp.errors``): absent is 0, else plain ASCII digits."""
    if value is None or value == "":
        return 0
    if not _COUNT.fullmatch(value):
        raise Unreadable(f"{what} is not a count: {value[:40]!r}")
    return int(value)


def max_bytes(name: str) -> int:
    """The largest ``xp/<name>`` file this reads (larger ones are not downloaded)."""
    return MAX_CELLS_BYTES if name == tags.CELLS_ARTIFACT else MAX_JSON_BYTES


def json_value(text: str | None, what: str, max_bytes: int = MAX_JSON_BYTES) -> Any:
    """JSON text parsed, at most ``max_bytes`` long and :data:`MAX_DEPTH` deep; None for none."""
    if text is None:
        return None
    if len(text) > max_bytes:
        raise Unreadable(f"{what} is larger than {max_bytes >> 20} MiB")
    try:
        value = json.loads(text)
    except RecursionError:
        raise Unreadable(f"{what} is nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise Unreadable(f"{what} is not JSON: {str(exc)[:80]}") from None
    _check_shape(value, what)
    return value


def _check_shape(value: Any, what: str) -> None:
    """Depth and list length, without recursion (a hostile file may nest thousands deep)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            if len(item) > MAX_LIST_ITEMS:
                raise Unreadable(f"{what} has a list of more than {MAX_LIST_ITEMS:,} items")
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            raise Unreadable(f"{what} is nested deeper than {MAX_DEPTH} levels")
        stack += [(child, depth + 1) for child in children]


class _File(BaseModel):
    """A recorder file: the fields the product reads are typed, the rest kept as they are."""

    model_config = ConfigDict(extra="allow")


class _SeedCall(_File):
    fn: str
    args: list[str] = []
    cell: int | None = None


class SeedsFile(_File):
    """``xp/seeds.json``."""

    seed: int | str | None = None
    seed_source: str | None = None
    pythonhashseed: int | str | None = None
    libraries: dict[str, Any] = {}
    determinism: dict[str, Any] = {}
    user_calls: list[_SeedCall] = []
    errors: list[Any] = []


class _Python(_File):
    version: Any = None  # checked where it is used (promote/trust.py: X.Y[.Z] or nothing)


class _Package(_File):
    name: str
    version: str | None = None


class EnvironmentFile(_File):
    """``xp/environment.json``."""

    python: _Python = _Python()
    platform: dict[str, str | None] = {}
    packages: list[_Package] = []
    container: str | bool | None = None
    env: dict[str, Any] = {}


class _Gpu(_File):
    index: int | None = None
    name: str | None = None


class HardwareFile(_File):
    """``xp/hardware.json``."""

    cpu: dict[str, Any] = {}
    memory: dict[str, Any] = {}
    torch: dict[str, Any] = {}
    gpus: list[_Gpu] = []


class _Repository(_File):
    commit: str | None = None
    branch: str | None = None
    dirty: bool | None = None
    remote_url: str | None = None


class GitFile(_File):
    """``xp/git.json``."""

    repository: _Repository | None = None


class OrderFile(_File):
    """``xp/order.json``: the order verdict."""

    linear: bool | None = None
    reasons: list[str] = []


class CellRow(BaseModel):
    """One line of ``xp/cells.jsonl`` (fields the recorder does not write are dropped)."""

    model_config = ConfigDict(extra="ignore")

    seq: int
    execution_count: int | None = None
    cell_id: str | None = None
    source: str = ""
    sha256: str | None = None
    start: float = 0.0  # only shown: a line without it is still code that can be replayed
    duration: float | None = None
    status: Literal["ok", "error", "died", "running"]
    error_name: str | None = None
    error_value: str | None = None
    peak_rss_mb: float | None = None
    loader_wait: float | None = None  # (the readings a cell's verdict is judged from)
    busy: float | None = None
    gpu_utilization_percent: float | None = None
    gpu_memory_share: float | None = None
    gpu_memory_busy_percent: float | None = None
    swap_in_mb_per_s: float | None = None


MAX_PROFILES = 1000  # profiled cells of one run (%xp profile: one per cell asked for)
MAX_OPERATORS = 50  # top operators of one profiled cell (the recorder keeps 15)


class ProfileOperator(BaseModel):
    """One of a profiled cell's top operators (``xp/profiles.json``; times in microseconds)."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(max_length=300)
    self_cpu_us: float = Field(ge=0, allow_inf_nan=False)
    calls: int = Field(ge=0)
    self_cuda_us: float | None = Field(default=None, ge=0, allow_inf_nan=False)


class CellProfile(BaseModel):
    """A cell run under ``%xp profile``: its trace's artifact path and its top operators."""

    model_config = ConfigDict(extra="ignore")

    cell: int = Field(ge=0)
    steps: int | None = Field(default=None, ge=1)
    cuda: bool = False
    trace: str | None = Field(default=None, max_length=300)
    operators: list[ProfileOperator] = Field(default=[], max_length=MAX_OPERATORS)


_DICT = TypeAdapter(dict[str, Any])
_LIST = TypeAdapter(list[Any])
_PROFILES = TypeAdapter(Annotated[list[CellProfile], Field(max_length=MAX_PROFILES)])
# What each xp/ JSON file must be; a file not listed here is read as any JSON value.
KINDS: dict[str, TypeAdapter[Any]] = {
    tags.SEEDS_ARTIFACT: TypeAdapter(SeedsFile),
    tags.ENVIRONMENT_ARTIFACT: TypeAdapter(EnvironmentFile),
    tags.HARDWARE_ARTIFACT: TypeAdapter(HardwareFile),
    tags.GIT_ARTIFACT: TypeAdapter(GitFile),
    tags.ORDER_ARTIFACT: TypeAdapter(OrderFile),
    tags.VERIFY_ARTIFACT: _DICT,
    tags.NOTEBOOK_ARTIFACT: _DICT,
    tags.CHECKPOINTS_ARTIFACT: _LIST,
    tags.REDACTIONS_ARTIFACT: _LIST,
    tags.PRELUDE_ARTIFACT: _LIST,
    tags.CONFIG_ARTIFACT: _DICT,
    tags.CONFIG_SCHEMA_ARTIFACT: _DICT,
    tags.PROFILES_ARTIFACT: _PROFILES,
}


def artifact(name: str, text: str | None) -> Any:
    """The ``xp/<name>`` file parsed as its kind (:data:`KINDS`): plain dicts and lists, or None
    when the run has no such file.

    Raises:
        Unreadable: not JSON, too large, too deep, or not the shape the recorder writes.
    """
    value = json_value(text, name)
    if value is None:
        return None
    adapter = KINDS.get(name)
    if adapter is None:
        return value
    try:
        parsed = adapter.validate_python(value)
    except ValidationError as exc:
        raise Unreadable(f"{name}: {_first_error(exc)}") from None
    if isinstance(parsed, list):  # a list of models (profiles.json): plain dicts too
        return [p.model_dump() if isinstance(p, BaseModel) else p for p in parsed]
    return parsed.model_dump() if isinstance(parsed, BaseModel) else parsed


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "value"
    return f"{where}: {first.get('msg')}"[:160]


def cells(text: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """The rows of ``xp/cells.jsonl`` that parse, at most :data:`MAX_CELLS`, and why any did not.

    One malformed line costs that line, not the journal: the others are still shown.
    """
    if text is None:
        return [], None
    if len(text) > MAX_CELLS_BYTES:
        return [], f"{tags.CELLS_ARTIFACT} is larger than {MAX_CELLS_BYTES >> 20} MiB"
    rows: list[dict[str, Any]] = []
    problem: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if len(rows) >= MAX_CELLS:
            problem = f"{tags.CELLS_ARTIFACT}: only the first {MAX_CELLS:,} cells are shown"
            break
        try:
            value = json_value(line, f"{tags.CELLS_ARTIFACT} line {number}")
            rows.append(CellRow.model_validate(value).model_dump())
        except Unreadable as exc:
            problem = problem or str(exc)
        except ValidationError as exc:
            problem = problem or f"{tags.CELLS_ARTIFACT} line {number}: {_first_error(exc)}"
    return rows, problem


# A registered model version made from a run. Anyone on the team can register a version that
# names any run, with any name MLflow accepts (control characters, 250 characters, thousands of
# aliases on a team server): a version past these caps is left out and named, never shown cut.
MAX_MODEL_VERSIONS = 100  # versions listed for one run
MAX_REGISTRY_NAME = 256  # MLflow's own column for a model's or an alias's name
MAX_ALIASES = 20  # aliases of one version (staging, production, a few more)
_VERSION = r"^[1-9][0-9]{0,8}$"  # anchored: pydantic searches a pattern


class ModelVersion(BaseModel):
    """One model version as the registry lists it, bounded (names are shown as text)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_REGISTRY_NAME)
    version: str = Field(pattern=_VERSION)
    aliases: list[Annotated[str, Field(min_length=1, max_length=MAX_REGISTRY_NAME)]] = Field(
        max_length=MAX_ALIASES
    )


def model_version(name: object, version: object, aliases: object) -> dict[str, Any]:
    """A registered version's name, number and aliases, checked against the caps above.

    Raises:
        Unreadable: a value of the wrong type, too long, or too many aliases.
    """
    try:
        found = ModelVersion.model_validate(
            {"name": name, "version": version, "aliases": aliases}, strict=True
        )
    except ValidationError as exc:
        shown = name[:40] if isinstance(name, str) else type(name).__name__
        raise Unreadable(f"model version {shown!r}: {_first_error(exc)}") from None
    return found.model_dump()


# A version's lineage tags (xp.lineage.*): register writes about 20, each text under MLflow's
# tag cap; a team server stores whatever a client sends, so each tag is checked on its own.
MAX_LINEAGE_TAGS = 64
MAX_SOURCE = 2000  # a version's source URI (runs:/ID/xp/checkpoints/NAME/VERSION)


def model_lineage(
    name: object, version: object, aliases: object, run_id: object, source: object, found: object
) -> dict[str, Any]:
    """A version with its source run, source URI and lineage tags (``found``: all its tags),
    each field checked on its own: a field that does not parse is left out (None, or the tag
    missing) and named in ``unreadable``.

    Raises:
        Unreadable: a name or number that does not parse (there is no version to show).
    """
    unreadable: list[str] = []
    try:
        head = model_version(name, version, aliases)
    except Unreadable as exc:
        head = model_version(name, version, [])  # raises when the name or number is the cause
        unreadable.append(str(exc))
    if run_id is not None and not is_run_id(run_id):
        unreadable.append("source run: not a run id")
        run_id = None
    if not isinstance(source, str) or len(source) > MAX_SOURCE:
        unreadable.append(f"source: not text of at most {MAX_SOURCE} characters")
        source = None
    lineage: dict[str, str] = {}
    items = sorted(found.items()) if isinstance(found, Mapping) else []
    chosen = [(k, v) for k, v in items if isinstance(k, str) and k.startswith(tags.LINEAGE_PREFIX)]
    if len(chosen) > MAX_LINEAGE_TAGS:
        unreadable.append(f"{len(chosen) - MAX_LINEAGE_TAGS} lineage tags past the first "
                          f"{MAX_LINEAGE_TAGS} left out")  # fmt: skip
    for key, value in chosen[:MAX_LINEAGE_TAGS]:
        field = key.removeprefix(tags.LINEAGE_PREFIX)
        if len(key) > tags.MAX_KEY:
            unreadable.append(f"a lineage tag with a key longer than {tags.MAX_KEY} characters")
        elif not isinstance(value, str) or len(value) > tags.MAX_TAG_VALUE:
            unreadable.append(f"lineage {field!r}: not text of at most {tags.MAX_TAG_VALUE} "
                              "characters")  # fmt: skip
        else:
            lineage[field] = value
    return {**head, "run_id": run_id, "source": source, "lineage": lineage,
            "unreadable": unreadable}  # fmt: skip


# One run in a list: what every frontend shows of it, in this order (RunSummary's fields).
RUN_ROW_FIELDS = (
    "run_id",
    "name",
    "experiment_id",
    "experiment",
    "status",
    "kind",
    "start_time",
    "end_time",
    "duration",
    "seed",
    "cells",
    "errors",
    "notebook",
    "died_in_cell",
    "metrics",
    "archived",
    "unreadable",
)


def run_row(
    *,
    run_id: str,
    name: str | None,
    experiment_id: str,
    experiment: str,
    status: str,
    start_time: int | None,
    end_time: int | None,
    lifecycle_stage: str,
    run_tags: Mapping[str, str],
    seed: str | None,
    metrics: Mapping[str, float],
) -> dict[str, Any]:
    """The one definition of a run row, from MLflow's run fields and tags (any reader's).

    A tag that does not parse is shown as 0 and named in ``unreadable`` with its reason.
    """
    unreadable: dict[str, str] = {}
    counts = {}
    for field, key in (("cells", tags.CELLS), ("errors", tags.ERRORS)):
        try:
            counts[field] = count(run_tags.get(key), f"tag {key}")
        except Unreadable as exc:
            counts[field], unreadable[field] = 0, str(exc)
    return {
        "run_id": run_id,
        "name": name,
        "experiment_id": experiment_id,
        "experiment": experiment,
        "status": status,
        "kind": run_tags.get(tags.KIND),
        "start_time": start_time,
        "end_time": end_time,
        "duration": (end_time - start_time) / 1000 if end_time and start_time else None,
        "seed": seed,
        "cells": counts["cells"],
        "errors": counts["errors"],
        "notebook": run_tags.get(tags.NOTEBOOK_PATH),
        "died_in_cell": run_tags.get(tags.DIED_IN_CELL),
        "metrics": dict(metrics),
        "archived": lifecycle_stage == "deleted",
        "unreadable": unreadable,
    }
