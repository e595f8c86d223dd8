"""A run (or one of its checkpoints) registered in MLflow's model registry, with its lineage.

``jupyter xp register RUN[:CHECKPOINT] NAME [--alias A]`` makes a model version whose tags say
where it came from — source run, notebook, the digest of the cells that ran, git commit and
dirty state, dataset digests and split checksums, params, the lock's hash, and for a promoted
run its verification verdict and bundle digest — so that plain MLflow can answer "what made
this model?". The ``production`` alias moves only after a gate against the current production
version passed (:mod:`.gate`), or with ``force``, which is recorded on the version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.validation import validate_key
from jupyterlab_xp.store import boundary
from jupyterlab_xp.store.model_registry import ModelRegistry, Version
from jupyterlab_xp.views import gate as gates
from jupyterlab_xp.views.lookup import find_run
from jupyterlab_xp.views.runview import run_detail

GATED_ALIAS = "production"
MAX_HASHED_BYTES = 64 << 20  # a lock file or bundle manifest is kilobytes


def lineage(store: Any, run: Any, checkpoint: dict[str, Any] | None = None) -> dict[str, str]:
    """The lineage tags of a version made from ``run`` (and ``checkpoint``): text, capped."""
    detail = run_detail(store, run)
    run_tags = run.data.tags
    ok_cells = [
        c.get("sha256") for c in detail.get("cells_journal") or [] if c.get("status") == "ok"
    ]
    found: dict[str, Any] = {
        "source_run": run.info.run_id,
        "experiment": detail.get("experiment"),
        "notebook": run_tags.get(tags.NOTEBOOK_PATH),
        "cells": len(ok_cells),
        "cells_sha256": _sha256("\n".join(str(s) for s in ok_cells)) if ok_cells else None,
        "git_commit": run_tags.get(tags.GIT_COMMIT),
        "git_dirty": run_tags.get(tags.GIT_DIRTY),
        "datasets": _prefixed(run_tags, "xp.dataset."),
        "splits": _prefixed(run_tags, tags.SPLIT_PREFIX),
        "params": dict(run.data.params),
        "lock_sha256": _artifact_sha256(store, run.info.run_id, tags.LOCK_ARTIFACT),
        "verdict": run_tags.get(tags.VERDICT) or run_tags.get(tags.PROMOTED_VERDICT),
        "bundle_sha256": _artifact_sha256(
            store, run.info.run_id, f"{tags.BUNDLE_DIR}/{tags.CHECKPOINT_METADATA}"
        ),
        "checkpoint": checkpoint["path"] if checkpoint else None,
        "checkpoint_sha256": checkpoint["sha256"] if checkpoint else None,
        "checkpoint_step": checkpoint.get("step") if checkpoint else None,
    }
    return {
        f"{tags.LINEAGE_PREFIX}{k}": v if isinstance(v, str) else json.dumps(v, sort_keys=True)
        for k, v in found.items()
        if v not in (None, {}, "")
    }


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _prefixed(run_tags: dict[str, str], prefix: str) -> dict[str, str]:
    return {k.removeprefix(prefix): v for k, v in sorted(run_tags.items()) if k.startswith(prefix)}


def _artifact_sha256(store: Any, run_id: str, name: str) -> str | None:
    """The sha256 of ``xp/NAME`` when the store lists it at a sane size (never downloaded
    whole to find out: the store is anyone's), else None."""
    path = f"{tags.ARTIFACT_DIR}/{name}"
    size = store.artifacts.sizes(run_id, path.rpartition("/")[0]).get(path)
    if size is None or size > MAX_HASHED_BYTES:
        return None
    data = store.artifacts.read_bytes(run_id, path)
    return hashlib.sha256(data).hexdigest() if data else None


def _checkpoint(store: Any, run: Any, name: str) -> dict[str, Any]:
    """The newest checkpoint ``NAME`` (or ``NAME/VERSION``) the run's index lists."""
    wanted, _, version = name.partition("/")
    found = [
        c
        for c in run_detail(store, run)["checkpoints"]
        if c["name"] == wanted and (not version or str(c["version"]) == version)
    ]
    if not found:
        raise XpError(f"run {run.info.run_id[:8]} has no checkpoint {name!r}")
    return dict(found[-1])


def register(
    store: Any,
    source: str,
    name: str,
    alias: str | None = None,
    metrics: Sequence[str] = (),
    force: bool = False,
    **gate_options: Any,
) -> dict[str, Any]:
    """Register ``source`` (``RUN`` or ``RUN:CHECKPOINT``) as a new version of model ``name``.

    With ``alias`` the version also gets it; ``production`` only when a gate of this run's seed
    group against the current production version's passes on ``metrics`` (or with ``force``).

    Raises:
        XpError: a bad name, run, checkpoint or alias; a production alias without a passing
            gate (the gate's reasons in the message).
    """
    validate_key(name, "model name")
    if alias is not None and (not alias.isidentifier() or not alias.isascii() or len(alias) > 64):
        raise XpError(f"an alias is a short identifier such as staging, got {alias!r}")
    ident, _, checkpoint_name = source.partition(":")
    run = find_run(store, ident)
    checkpoint = _checkpoint(store, run, checkpoint_name) if checkpoint_name else None
    registry = ModelRegistry(store)
    decision = None
    if alias == GATED_ALIAS and not force:
        decision = _production_gate(store, registry, name, run, metrics, gate_options)
    lineage_tags = lineage(store, run, checkpoint)
    if force and alias == GATED_ALIAS:
        lineage_tags[tags.LINEAGE_FORCED] = "production alias set with --force, without a gate"
    if decision is not None:
        lineage_tags[tags.LINEAGE_GATE] = _gate_summary(decision)
    artifact = checkpoint["path"] if checkpoint else tags.ARTIFACT_DIR
    version = registry.register(name, f"runs:/{run.info.run_id}/{artifact}", run.info.run_id,
                                lineage_tags)  # fmt: skip
    if alias is not None:
        registry.set_alias(name, alias, version.version)
        version = registry.get(name, version.version) or version
    return {
        "name": version.name,
        "version": version.version,
        "aliases": list(version.aliases),
        "run_id": run.info.run_id,
        "source": version.source,
        "lineage": {k.removeprefix(tags.LINEAGE_PREFIX): v for k, v in version.tags.items()},
        "gate": decision,
    }


def _production_gate(
    store: Any,
    registry: ModelRegistry,
    name: str,
    run: Any,
    metrics: Sequence[str],
    options: dict[str, Any],
) -> dict[str, Any] | None:
    """Gate ``run``'s seed group against the current production version's; None when there is
    no production version yet (the first one needs no gate).

    Raises:
        XpError: no metric to gate on, or a gate that did not pass.
    """
    current = registry.by_alias(name, GATED_ALIAS)
    if current is None:
        return None
    if not metrics:
        raise XpError(f"{name}@{GATED_ALIAS} exists: give --metric to gate against it (or --force)")
    base_run = store.get_run(current.run_id) if current.run_id else None
    if base_run is None:
        raise XpError(f"{name}@{GATED_ALIAS} (version {current.version}) has no run to gate on")
    sides = []
    objectives: dict[str, str | None] = {}
    for label, selected in (
        (f"{name}@{GATED_ALIAS}", gates.seed_group(store, base_run)),
        (run.info.run_id[:8], gates.seed_group(store, run)),
    ):
        sides.append(gates.Side(label, [gates.row(store, r, objectives) for r in selected]))
    decision = gates.decide(sides[0], sides[1], metrics, **options)
    if decision["decision"] != gates.PASS:
        why = "; ".join(f"{m['metric']}: {m['why']}" for m in decision["metrics"])
        raise XpError(f"gate {decision['decision']} against {name}@{GATED_ALIAS}: {why}")
    return decision


def _gate_summary(decision: dict[str, Any]) -> str:
    return json.dumps(
        {
            "decision": decision["decision"],
            "baseline": decision["baseline"]["run_ids"],
            "metrics": {m["metric"]: m["why"] for m in decision["metrics"]},
        },
        sort_keys=True,
    )


def run_versions(store: Any, run_id: str) -> dict[str, Any]:
    """The versions made from run ``run_id`` (a RunModels body, for the run detail and ``jupyter
    xp show``): name, number and aliases through the parsing boundary; a version that does not
    parse is left out and named in ``unreadable`` (anyone can register one that names any run)."""
    versions: list[dict[str, Any]] = []
    unreadable: list[str] = []
    for version in ModelRegistry(store).of_run(run_id):
        try:
            versions.append(boundary.model_version(version.name, version.version,
                                                   list(version.aliases)))  # fmt: skip
        except boundary.Unreadable as exc:
            unreadable.append(str(exc))
    return {"run_id": run_id, "versions": versions, "unreadable": unreadable}


def version_lineage(store: Any, name: str, number: str) -> dict[str, Any]:
    """Version ``number`` of model ``name`` with its lineage (a ModelLineage body, for the
    panel: version → run, data, code, env), read through the parsing boundary: anyone can
    register a version, so each field that does not parse is named in ``unreadable``.

    Raises:
        XpError: a malformed name or number, or a version whose name or number does not parse.
        LookupError: no such version in the registry.
    """
    if not name or len(name) > boundary.MAX_REGISTRY_NAME:
        raise XpError(f"a model name is 1 to {boundary.MAX_REGISTRY_NAME} characters")
    if not number.isascii() or not number.isdigit() or len(number) > 9:
        raise XpError(f"a model version is a number such as 3, got {number[:40]!r}")
    found = ModelRegistry(store).get(name, number)
    if found is None:
        raise LookupError(f"no version {number} of model {name[:40]!r}")
    return _version_body(found)


def show_version(store: Any, ref: str) -> dict[str, Any]:
    """A version from ``NAME@ALIAS`` or ``NAME/VERSION`` (version → run, data, code, env).

    Raises:
        XpError: a malformed reference, or none such in the registry.
    """
    registry = ModelRegistry(store)
    name, at, alias = ref.partition("@")
    if at:
        found = registry.by_alias(name, alias)
    else:
        name, slash, number = ref.rpartition("/")
        if not slash or not number.isascii() or not number.isdigit():
            raise XpError(f"a model version is NAME@ALIAS or NAME/VERSION, got {ref!r}")
        found = registry.get(name, number)
    if found is None:
        raise XpError(f"no model version {ref!r} in {store.location.display}")
    return _version_body(found)


def _version_body(version: Version) -> dict[str, Any]:
    """A ModelLineage body, through the parsing boundary (anyone can register a version).

    Raises:
        XpError: a version whose name or number does not parse.
    """
    try:
        return boundary.model_lineage(version.name, version.version, list(version.aliases),
                                      version.run_id, version.source,
                                      dict(version.tags))  # fmt: skip
    except boundary.Unreadable as exc:
        raise XpError(f"unreadable in the registry: {exc}") from None
