"""The gate: compare's statistics turned into one decision for CI (no Jupyter imports).

``jupyter xp gate --baseline SEL --candidate SEL --metric M`` (and ``POST gate``) decide
**pass**, **fail** or **inconclusive** for a candidate seed group against a baseline group:

- *fail*: the candidate is worse beyond seed noise (the corrected test says the groups differ)
  and by more than ``min_effect``;
- *pass*: it is not worse beyond noise (or, with ``require_better``, better beyond noise);
- *inconclusive*: too few seeds on a side (never silently on fewer than :data:`MIN_SEEDS`), a
  metric missing from some runs, groups whose runs differ in more than the tested params, or
  (with ``require_better``) a difference that these seeds cannot tell from noise.

``system/*`` metrics measure the machine, not the result: they are refused, never tested.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from jupyterlab_xp.core import columns, tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.validation import is_seed_param
from jupyterlab_xp.store.model_registry import ModelRegistry
from jupyterlab_xp.store.query import quote_value
from jupyterlab_xp.views.lookup import find_run
from jupyterlab_xp.views.runview import run_summary
from jupyterlab_xp.views.stats import (
    ALPHA,
    CORRECTIONS,
    DISTINGUISHABLE,
    NO_DECISION,
    SYSTEM_PREFIX,
    compare_groups,
    correct,
    safe_mean,
)

PASS, FAIL, INCONCLUSIVE = "pass", "fail", "inconclusive"
EXIT_CODES = {PASS: 0, FAIL: 1, INCONCLUSIVE: 2}
MIN_SEEDS = 5
MAX_RUNS = 200  # a side: a gate compares seed groups, not whole experiments
MAX_METRICS = 20
DIRECTIONS = ("maximize", "minimize")
# Metric names that are better when lower, when --direction is not given.
_LOWER_IS_BETTER = ("loss", "error", "err", "mae", "mse", "rmse", "perplexity", "nll", "wer", "cer")


@dataclass
class Side:
    """One side of the gate: the selection as typed, and the runs (details) it found."""

    selection: str
    runs: list[dict[str, Any]]
    tested: dict[str, str] = field(default_factory=dict)  # params the selection fixed


def default_direction(metric: str) -> str:
    """``minimize`` for loss- and error-like names (``val/loss``, ``test/mae``), else maximize."""
    name = metric.rsplit("/", 1)[-1].lower()
    return "minimize" if any(w in name.split("_") for w in _LOWER_IS_BETTER) else "maximize"


def _param_selection(text: str) -> dict[str, str] | None:
    """``params.K=V[,params.K2=V2]`` as a dict, or None when ``text`` is not of that form."""
    if columns.parse_column(text, columns.PARAMS) is None:
        return None
    fixed: dict[str, str] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        name = columns.parse_column(key, columns.PARAMS)
        if not sep or not name:
            raise XpError(f"a selection of params is params.NAME=VALUE[,...], got {part!r}")
        fixed[name] = value
    return fixed


def select(
    store: Any, selection: str, experiments: Sequence[str] | None = None
) -> tuple[list[Any], dict[str, str]]:
    """The runs a selection names, and the params it fixed.

    A selection is run ids or unique prefixes (``a1b2,c3d4``), a seed group
    (``params.width=16[,params.lr=0.1]``, finished runs in ``experiments`` or all of them), a
    registered model version (``models:/NAME@ALIAS`` or ``models:/NAME/VERSION``: the seed
    group of the run it was registered from), or an MLflow filter (``filter:...``).

    Raises:
        XpError: an empty, malformed or ambiguous selection, or one that finds no run.
    """
    selection = selection.strip()
    if not selection:
        raise XpError("an empty selection: give run ids, params.NAME=VALUE or filter:...")
    given = _param_selection(selection)
    fixed = given or {}
    if given is not None:
        clauses = [
            f"{columns.search_field(columns.PARAMS, k)} = {quote_value(v)}"
            for k, v in given.items()
        ]
        runs = _search(store, experiments, " and ".join(clauses), selection)
    elif selection.startswith(MODELS):
        runs = _version_group(store, selection)
    elif selection.startswith("filter:"):
        runs = _search(store, experiments, selection.removeprefix("filter:").strip(), selection)
    else:
        ids = [i.strip() for i in selection.split(",") if i.strip()]
        if len(ids) > MAX_RUNS:
            raise XpError(f"at most {MAX_RUNS} runs a side, got {len(ids)}")
        runs = [find_run(store, i) for i in ids]
    unique = {r.info.run_id: r for r in runs}
    return list(unique.values()), fixed


MODELS = "models:/"
MAX_GROUP = 1000  # runs of an experiment scanned for a run's seed group


def _version_group(store: Any, selection: str) -> list[Any]:
    ref = selection.removeprefix(MODELS)
    registry = ModelRegistry(store)
    name, at, alias = ref.partition("@")
    if at:
        version = registry.by_alias(name, alias)
    else:
        name, _, number = ref.rpartition("/")
        version = registry.get(name, number) if number.isascii() and number.isdigit() else None
    run = store.get_run(version.run_id) if version is not None and version.run_id else None
    if run is None:
        raise XpError(f"{selection!r}: no such model version with a run in this store")
    return seed_group(store, run)


def seed_group(store: Any, run: Any) -> list[Any]:
    """``run`` and the finished runs of its experiment whose params equal its own but for the
    seeds: the group a gate measures seed noise in."""
    own = _without_seeds(run.data.params)
    experiment = store.experiment_names().get(run.info.experiment_id, run.info.experiment_id)
    candidates = store.search_runs(
        [experiment], "attributes.status = 'FINISHED'", max_results=MAX_GROUP
    )
    group = [r for r in candidates if _without_seeds(r.data.params) == own]
    return group if any(r.info.run_id == run.info.run_id for r in group) else [run, *group]


def _without_seeds(params: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in params.items() if not is_seed_param(k)}


def _search(store: Any, experiments: Sequence[str] | None, where: str, selection: str) -> list[Any]:
    finished = "attributes.status = 'FINISHED'"
    runs = store.search_runs(
        list(experiments) if experiments else None,
        f"{where} and {finished}" if where else finished,
        max_results=MAX_RUNS + 1,
    )
    if not runs:
        raise XpError(f"{selection!r} selects no finished run")
    if len(runs) > MAX_RUNS:
        raise XpError(f"{selection!r} selects more than {MAX_RUNS} runs: narrow it")
    return list(runs)


def _varying(runs: Sequence[dict[str, Any]]) -> list[str]:
    """Params (except the seed and the seeds named after it) that differ between ``runs``."""
    keys = {k for r in runs for k in r["params"] if not is_seed_param(k)}
    return sorted(k for k in keys if len({r["params"].get(k) for r in runs}) > 1)


def _test(a: Sequence[float], b: Sequence[float]) -> dict[str, Any]:
    """The test between two groups' values (before correction): compare's own."""
    return compare_groups("", a, b)


def _sweep_peek(runs: Sequence[dict[str, Any]], metric: str) -> bool:
    """True when a run was a sweep trial that selected on ``metric`` (a test-set peek)."""
    return any(str(r.get("sweep_objective") or "").split(" ")[0] == metric for r in runs)


def check_options(metrics: Sequence[str], correction: str, min_effect: float) -> None:
    """Refuse what no selection can make right, before any run is read.

    Raises:
        XpError: a ``system/*`` metric, too few or many metrics, a bad correction or effect.
    """
    if correction not in CORRECTIONS:
        raise XpError(f"correction must be one of {', '.join(CORRECTIONS)}")
    if not metrics or len(metrics) > MAX_METRICS:
        raise XpError(f"give 1 to {MAX_METRICS} metrics")
    if not math.isfinite(min_effect) or min_effect < 0:
        raise XpError(f"--min-effect must be a finite number >= 0, got {min_effect}")
    for m in metrics:
        if m.startswith(SYSTEM_PREFIX):
            raise XpError(f"{m} measures the machine, not the result: the gate never tests it")


def decide(
    baseline: Side,
    candidate: Side,
    metrics: Sequence[str],
    directions: Sequence[str] | None = None,
    min_effect: float = 0.0,
    correction: str = "holm",
    require_better: bool = False,
) -> dict[str, Any]:
    """The gate's decision over ``metrics`` (a GateBody dict: overall decision, per metric).

    Raises:
        XpError: a ``system/*`` metric, an unknown direction or correction, bad limits.
    """
    check_options(metrics, correction, min_effect)
    dirs = list(directions or [default_direction(m) for m in metrics])
    if len(dirs) == 1 and len(metrics) > 1:
        dirs = dirs * len(metrics)
    if len(dirs) != len(metrics) or any(d not in DIRECTIONS for d in dirs):
        raise XpError("give one --direction (maximize or minimize) or one per metric")
    reasons = _group_reasons(baseline, candidate)
    rows = [_metric_row(baseline, candidate, m, d) for m, d in zip(metrics, dirs, strict=True)]
    tested = [r for r in rows if r["test"] is not None]
    if tested:
        tests = [r["test"] for r in tested]
        correct(tests, correction)
    for row in rows:
        _metric_decision(row, reasons, min_effect, require_better)
    decisions = {r["decision"] for r in rows}
    overall = FAIL if FAIL in decisions else INCONCLUSIVE if INCONCLUSIVE in decisions else PASS
    warnings = []
    for m in metrics:
        if _sweep_peek(baseline.runs + candidate.runs, m):
            warnings.append(
                f"{m} was the objective a sweep selected these runs on: testing it again on the"
                " same data is a peek (report a held-out metric)"
            )
    return {
        "decision": overall,
        "exit_code": EXIT_CODES[overall],
        "correction": correction,
        "alpha": ALPHA,
        "min_effect": min_effect,
        "require_better": require_better,
        "baseline": _side_body(baseline),
        "candidate": _side_body(candidate),
        "metrics": [{k: v for k, v in r.items() if k != "test"} for r in rows],
        "reasons": reasons,
        "warnings": warnings,
    }


def _side_body(side: Side) -> dict[str, Any]:
    return {
        "selection": side.selection,
        "run_ids": [r["run_id"] for r in side.runs],
        "seeds": [r.get("seed") for r in side.runs],
        "params": {k: v for k, v in side.runs[0]["params"].items() if not is_seed_param(k)}
        if side.runs
        else {},
    }


def _group_reasons(baseline: Side, candidate: Side) -> list[str]:
    """Why these two groups cannot be gated at all (empty when they can)."""
    reasons = []
    for name, side in (("baseline", baseline), ("candidate", candidate)):
        varying = _varying(side.runs)
        if varying:
            reasons.append(
                f"the {name} runs differ in {', '.join(varying[:5])}: a side must be one seed group"
            )
    overlap = {r["run_id"] for r in baseline.runs} & {r["run_id"] for r in candidate.runs}
    if overlap:
        reasons.append(f"{len(overlap)} run(s) are on both sides")
    tested = set(baseline.tested) | set(candidate.tested)
    if tested and baseline.runs and candidate.runs:
        extra = [k for k in _varying([baseline.runs[0], candidate.runs[0]]) if k not in tested]
        if extra:
            reasons.append(
                f"the groups also differ in {', '.join(extra[:5])}, not only in"
                f" {', '.join(sorted(tested))}"
            )
    return reasons


def _values(runs: Sequence[dict[str, Any]], metric: str) -> tuple[list[float], int]:
    """The finite values of ``metric`` in ``runs``, and how many runs lack one."""
    values = [r["metrics"].get(metric) for r in runs]
    kept = [float(v) for v in values if isinstance(v, int | float) and math.isfinite(v)]
    return kept, len(values) - len(kept)


def _metric_row(baseline: Side, candidate: Side, metric: str, direction: str) -> dict[str, Any]:
    a, missing_a = _values(baseline.runs, metric)
    b, missing_b = _values(candidate.runs, metric)
    row: dict[str, Any] = {
        "metric": metric,
        "direction": direction,
        "n_baseline": len(a),
        "n_candidate": len(b),
        "missing": missing_a + missing_b,
        "mean_baseline": safe_mean(a) if a else None,
        "mean_candidate": safe_mean(b) if b else None,
        "difference": None,
        "improvement": None,
        "p_value": None,
        "p_adjusted": None,
        "detectable_difference": None,
        "test": None,
    }
    if a and b:
        diff = safe_mean(b) - safe_mean(a)
        row["difference"] = diff
        row["improvement"] = diff if direction == "maximize" else -diff
    if len(a) >= 2 and len(b) >= 2:
        row["test"] = _test(a, b)
    return row


def _metric_decision(
    row: dict[str, Any], reasons: Sequence[str], min_effect: float, require_better: bool
) -> None:
    """Fill ``decision`` and ``why`` for one metric's row."""
    test = row["test"]
    if test is not None:
        # the p that decides (compare's: the larger of Welch's and the exact permutation p;
        # Welch's is undefined when neither group varies)
        row["p_value"] = test["p_value"]
        row["p_adjusted"] = test["p_adjusted"]
        row["detectable_difference"] = test.get("detectable_difference")
    n = min(row["n_baseline"], row["n_candidate"])
    why: str
    if reasons:
        decision, why = INCONCLUSIVE, reasons[0]
    elif row["missing"]:
        decision, why = INCONCLUSIVE, f"{row['missing']} run(s) have no finite {row['metric']}"
    elif n < MIN_SEEDS:
        decision = INCONCLUSIVE
        why = f"{n} seeds on a side: the gate needs at least {MIN_SEEDS} a side to measure noise"
    elif test is None or test["decision"] == NO_DECISION:
        decision = INCONCLUSIVE
        why = test["reason"] if test else "too few values to test"
    else:
        decision, why = _decision(row, test, min_effect, require_better)
    row["decision"] = decision
    row["why"] = why


def _decision(
    row: dict[str, Any], test: dict[str, Any], min_effect: float, require_better: bool
) -> tuple[str, str]:
    """Pass, fail or inconclusive from compare's calibrated decision and the direction."""
    distinguishable = test["decision"] == DISTINGUISHABLE
    gain = row["improvement"]
    adjusted = f"adjusted p {row['p_adjusted']:.3g}"
    if distinguishable and gain < 0 and -gain > min_effect:
        return FAIL, f"worse by {-gain:.4g} beyond seed noise ({adjusted})"
    if require_better and not (distinguishable and gain > min_effect):
        if distinguishable:
            return FAIL, f"better by {gain:.4g} only, not beyond --min-effect {min_effect:g}"
        return INCONCLUSIVE, f"not distinguishable from the baseline: {test['reason']}"
    if distinguishable and gain < 0:
        return PASS, f"worse by {-gain:.4g}, within --min-effect {min_effect:g}"
    if distinguishable:
        return PASS, f"better by {gain:.4g} beyond seed noise ({adjusted})"
    # Not worse beyond noise. The reason says how large a difference these seeds could see,
    # so a reader can tell a pass from a gate too weak to fail anything.
    return PASS, f"not worse beyond seed noise: {test['reason']}"


def gate(
    store: Any,
    baseline: str,
    candidate: str,
    metrics: Sequence[str],
    experiments: Sequence[str] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Select both sides in ``store`` and decide (see :func:`decide` for ``options``)."""
    check_options(metrics, options.get("correction", "holm"), float(options.get("min_effect", 0.0)))
    sides = []
    objectives: dict[str, str | None] = {}
    for selection in (baseline, candidate):
        runs, fixed = select(store, selection, experiments)
        sides.append(Side(selection, [row(store, r, objectives) for r in runs], fixed))
    return decide(sides[0], sides[1], metrics, **options)


def row(store: Any, run: Any, objectives: dict[str, str | None]) -> dict[str, Any]:
    """What the gate needs of a run: its summary, its params and, for a sweep's trial or
    confirmation run, the objective its sweep selected on (read once per sweep)."""
    parent = run.data.tags.get(tags.SWEEP_RUN)
    if parent and parent not in objectives:
        sweep = store.get_run(parent) if parent.isascii() and parent.isalnum() else None
        objectives[parent] = sweep.data.tags.get(tags.SWEEP_OBJECTIVE) if sweep else None
    return run_summary(run) | {
        "params": dict(run.data.params),
        "sweep_objective": objectives.get(parent) if parent else None,
    }
