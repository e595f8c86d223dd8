"""Background sync: journal records become MLflow params, metrics, tags and artifacts.

The recorder writes every record to the journal first and then hands it to the one
:class:`SyncWorker` thread, which applies records to the store in batches. The same
:class:`RunSync` code replays a journal left behind by a dead kernel (``recover``), so what
reaches MLflow never depends on whether the kernel lived to say goodbye.
"""

from __future__ import annotations

import contextlib
import logging
import posixpath
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.config import private_dir
from jupyterlab_xp.core.files import read_json, write_atomic, write_json_atomic
from jupyterlab_xp.core.metric_points import MetricPoint, metric_points
from jupyterlab_xp.core.tags import MAX_TAG_VALUE
from jupyterlab_xp.journal import summary
from jupyterlab_xp.journal.jsonl import read_journal
from jupyterlab_xp.journal.order import notebook_code_cells, order_verdict
from jupyterlab_xp.journal.rundir import ARTIFACTS_DIR, JOURNAL_FILE, STATE_FILE
from jupyterlab_xp.store.checkpoint_upload import upload_checkpoint
from jupyterlab_xp.store.faults import set_aside
from jupyterlab_xp.store.liveness import beat_tags
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.store.redaction import Ledger, Redactor

log = logging.getLogger(__name__)


_META_KEYS = frozenset({"seq", "t", "type"})
STOP_FILE = "stop.json"  # how a run ended whose journal could not be written any more


class RunSync:
    """Applies one run's journal records to the MLflow store; remembers how far it got.

    The progress (``run_id``, ``synced_seq``, ``ended``) is kept in ``sync.json`` in the run
    folder so that a later process can carry on from where this one stopped.
    """

    def __init__(self, store: MlflowStore, run_dir: Path) -> None:
        self.store = store
        self.dir = run_dir
        self.on_run_created: Callable[[str], None] | None = None
        self.reload()

    def reload(self) -> None:
        """Read the progress from ``sync.json`` again (a kernel whose sync process writes it)."""
        state = read_json(self.dir / STATE_FILE) or {}
        self.run_id: str | None = state.get("run_id")
        self.synced_seq: int = int(state.get("synced_seq", 0))
        self.ended: bool = bool(state.get("ended", False))
        self.status: str | None = state.get("status")
        self._logged_params: dict[str, str] = dict(state.get("params", {}))
        self._counts: dict[str, int] = dict(state.get("counts", {}))
        self._notes: list[str] = list(state.get("notes", []))
        # Each metric's latest point, for the logged model of a checkpoint saved after it (kept
        # for this process only: after a restart a checkpoint's model has the metrics since).
        self._latest_metrics: dict[str, MetricPoint] = {}
        # Every record and artifact goes to the store through one redaction step; the ledger
        # says where values were redacted (%xp status, tag xp.redactions, xp/redactions.json).
        self.redactions = Ledger(state.get("redactions", []))
        self._redactor = Redactor(self.redactions)
        self.refused: int = int(state.get("refused", 0))  # records the store refused for good

    @property
    def artifacts_dir(self) -> Path:
        """Local folder whose files are uploaded under ``xp/`` in the run."""
        return self.dir / ARTIFACTS_DIR

    def apply(  # noqa: C901, PLR0912, PLR0915  # one batch, all or nothing: kept in one place
        self, records: Iterable[dict[str, Any]], recovering: bool = False
    ) -> None:
        """Apply records in order (records at or below ``synced_seq`` are skipped).

        Raises whatever the store raises; the records stay unsynced and are retried.
        """
        params: dict[str, str] = {}
        metrics: list[MetricPoint] = []
        run_tags: dict[str, str] = {}
        uploads: list[str] = []
        end: dict[str, Any] | None = None
        datasets: list[dict[str, Any]] = []
        # (upload folder, record, the run's latest metrics then): each also a logged model
        checkpoints: list[tuple[str, dict[str, Any], list[MetricPoint]]] = []
        running_cell: str | None = None  # set when the batch starts or ends a cell
        last_seq = self.synced_seq
        # Work on copies: if the store fails half-way the whole batch is retried, so nothing
        # may count as done until every write below has succeeded.
        logged, counts, notes = dict(self._logged_params), dict(self._counts), list(self._notes)
        latest = dict(self._latest_metrics)
        for rec in records:
            if rec["seq"] <= self.synced_seq:
                continue
            last_seq = rec["seq"]
            kind = rec["type"]
            rec = self._redactor.record(rec, note=len(notes) + 1)  # what may reach the store
            if kind == "run_start" and self.run_id is None:
                self._create_run(rec, recovering)
            for key, value in rec.get("params", {}).items():
                if key not in logged:  # MLflow params are write-once
                    logged[key] = params[key] = str(value)
            step = int(rec.get("step") or 0)
            ts = int(rec["t"] * 1000)
            points = metric_points(rec.get("metrics", {}), ts, step)
            metrics += points
            latest.update((p.key, p) for p in points if not p.key.startswith("system/"))
            run_tags.update({k: str(v) for k, v in rec.get("tags", {}).items()})
            uploads.extend(rec.get("artifacts", []))
            if kind == "cell_start":
                counts["cells"] = counts.get("cells", 0) + 1
                running_cell = summary.describe_cell({**rec, "seq": rec.get("cell")})
            elif kind == "cell_end":
                running_cell = ""
                if rec.get("status") == summary.ERROR:
                    # Per-cell durations and memory stay in cells.jsonl: as metrics they would
                    # cost the store a row per cell and this thread CPU that the kernel wants.
                    counts["errors"] = counts.get("errors", 0) + 1
            elif kind == "seed_call":
                counts["seed_calls"] = counts.get("seed_calls", 0) + 1
                run_tags[tags.SEED_CALLS] = str(counts["seed_calls"])
            elif kind == "note":
                notes.append(str(rec.get("text", "")))
                run_tags[tags.NOTE] = notes[-1]
                run_tags[tags.MLFLOW_NOTE] = "\n\n".join(notes)[-MAX_TAG_VALUE:]
            elif kind == "dataset":
                datasets.append(rec)
            elif kind == "checkpoint":  # a folder beside the journal: uploaded as it is
                checkpoints.append((str(rec.get("upload", "")), rec, list(latest.values())))
            elif kind == "run_end":
                end = rec
        if self.run_id is None:
            return
        run_tags[tags.CELLS] = str(counts.get("cells", 0))
        run_tags[tags.ERRORS] = str(counts.get("errors", 0))
        run_tags[tags.REDACTIONS] = str(self.redactions.count)
        if self.refused:
            run_tags[tags.SYNC_REFUSED] = str(self.refused)
        if running_cell is not None:  # what a sweep on another machine names if we die now
            run_tags[tags.RUNNING_CELL] = running_cell
        self.store.log_batch(self.run_id, params=params, metrics=metrics, tags=run_tags)
        if datasets:
            # Imported here: the kernel holds a RunSync but never applies records, and
            # provenance's import (DVC, git, data cards, YAML) would cost it 30 ms at start.
            from jupyterlab_xp.capture.provenance import mlflow_input

        for data in datasets:
            self.store.log_dataset(self.run_id, **mlflow_input(data))
        for rel, checkpoint, at_save in checkpoints:
            if upload_checkpoint(self.store, self._redactor, self.run_id, self.dir, rel):
                self.store.log_checkpoint_model(self.run_id, checkpoint, rel, at_save)
        if uploads:
            with self._redactor.staged(self.artifacts_dir, uploads) as outbound:
                for name in uploads:
                    if (outbound / name).exists():  # predictions/test.parquet: xp/predictions/
                        folder = posixpath.join(tags.ARTIFACT_DIR, posixpath.dirname(name))
                        self.store.log_artifact(self.run_id, outbound / name, folder.rstrip("/"))
        if end is not None:
            self._finish(
                end.get("status", tags.FINISHED), end.get("tags", {}), int(end["t"] * 1000)
            )
        self._logged_params, self._counts, self._notes = logged, counts, notes
        self._latest_metrics = latest
        self.synced_seq = last_seq
        self._save()

    def apply_extra(self, rec: dict[str, Any]) -> None:
        """Apply a record that is not in the journal: its tags and files, redacted the same way.

        A sync process captures the environment, hardware and git itself, after the run
        started; a crash before this lands loses the tags, and the files still go with the run's
        other files at its end. Raises whatever the store raises.
        """
        if self.run_id is None or self.ended:
            return
        clean = self._redactor.record(rec)
        run_tags = {k: str(v) for k, v in clean.get("tags", {}).items()}
        if run_tags:
            self.store.log_batch(self.run_id, tags=run_tags)
        names = [str(n) for n in clean.get("artifacts", [])]
        if names:
            with self._redactor.staged(self.artifacts_dir, names) as outbound:
                for name in names:
                    if (outbound / name).exists():
                        self.store.log_artifact(self.run_id, outbound / name, tags.ARTIFACT_DIR)
        self._save()  # the ledger may have grown

    def _create_run(self, rec: dict[str, Any], recovering: bool) -> None:
        local_id = rec["local_id"]
        if recovering:
            # The dead process may have created the run without living to write sync.json.
            self.run_id = self.store.find_run_by_tag(tags.LOCAL_ID, local_id)
        if self.run_id is None:
            run_tags = dict(rec.get("tags", {}))
            if not recovering:  # a live recorder: its first heartbeat (store/liveness.py)
                run_tags.update(beat_tags())
            self.run_id = self.store.create_run(
                rec["experiment"], rec.get("name"), run_tags, int(rec["t"] * 1000)
            )
        self._save()
        if self.on_run_created is not None:
            self.on_run_created(self.run_id)

    def _finish(self, status: str, end_tags: dict[str, str], end_ms: int) -> None:
        assert self.run_id is not None
        verdict = self.write_derived_artifacts(alive=False)
        with self._redactor.staged(self.artifacts_dir) as outbound:
            write_json_atomic(outbound / tags.REDACTIONS_ARTIFACT, self.redactions.entries())
            self.store.log_artifacts(self.run_id, outbound, tags.ARTIFACT_DIR)
        linear = verdict["linear"]
        end_tags = {
            **end_tags,
            tags.LINEAR: "unknown" if linear is None else str(linear).lower(),
            tags.REDACTIONS: str(self.redactions.count),
        }
        self.store.log_batch(self.run_id, tags=end_tags)
        self.store.set_terminated(self.run_id, status, end_ms)
        self.ended, self.status = True, status

    def write_derived_artifacts(self, alive: bool) -> dict[str, Any]:
        """Write cells.jsonl, seeds.json, order.json and a copy of the journal (artifacts folder).

        Returns:
            The order verdict (judged against the notebook snapshot taken at stop).
        """
        records = list(read_journal(self.dir / JOURNAL_FILE))
        cells = summary.cell_executions(records, alive=alive)
        summary.add_cell_readings(cells, self.dir)
        private_dir(self.artifacts_dir, top=self.dir)
        write_atomic(self.artifacts_dir / tags.CELLS_ARTIFACT, summary.cells_jsonl(cells))
        write_json_atomic(self.artifacts_dir / tags.SEEDS_ARTIFACT, summary.seeds_summary(records))
        start = next((r for r in records if r["type"] == "run_start"), {})
        write_json_atomic(self.artifacts_dir / tags.PRELUDE_ARTIFACT, start.get("prelude", []))
        self._add_torch_runtime(records)
        snapshot = self.artifacts_dir / tags.NOTEBOOK_ARTIFACT
        verdict = order_verdict(cells, notebook_code_cells(snapshot) if snapshot.exists() else None)
        write_json_atomic(self.artifacts_dir / tags.ORDER_ARTIFACT, verdict)
        write_atomic(
            self.artifacts_dir / tags.JOURNAL_ARTIFACT, (self.dir / JOURNAL_FILE).read_bytes()
        )
        return verdict

    def _add_torch_runtime(self, records: list[dict[str, Any]]) -> None:
        """Fold what the imported torch reported (CUDA, cuDNN) into hardware.json.

        The capture at start never imports torch; the import hook records the runtime later.
        """
        runtime = next(
            (
                r.get("runtime") or r.get("torch")
                for r in reversed(records)
                if r["type"] in ("torch_runtime", "device")
            ),
            None,
        )
        path = self.artifacts_dir / tags.HARDWARE_ARTIFACT
        hardware = read_json(path)
        if runtime and isinstance(hardware, dict):
            hardware.setdefault("torch", {})["runtime"] = runtime
            write_json_atomic(path, hardware)

    def _save(self) -> None:
        write_json_atomic(
            self.dir / STATE_FILE,
            {
                "run_id": self.run_id,
                "synced_seq": self.synced_seq,
                "ended": self.ended,
                "status": self.status,
                "params": self._logged_params,
                "counts": self._counts,
                "notes": self._notes,
                "redactions": self.redactions.entries(),
                "refused": self.refused,
            },
        )

    def refuse(self, record: dict[str, Any], exc: BaseException) -> None:
        """Set aside a record the store refused for good; the records after it go on.

        It is kept in ``refused.jsonl`` and counted in the tag ``xp.sync.refused``. A refused
        ``run_end`` (the run was deleted) ends the sync: nothing could ever end that run.
        """
        set_aside(self.dir, record, exc)
        self.refused += 1
        self.synced_seq = max(self.synced_seq, int(record.get("seq", 0)))
        if record.get("type") == "run_end":
            self.ended = True
        self._save()
        if self.run_id is not None:
            with contextlib.suppress(Exception):  # the run itself may be what is gone
                self.store.log_batch(self.run_id, tags={tags.SYNC_REFUSED: str(self.refused)})

    def recover(self) -> str | None:
        """Finish a run whose process is gone: replay the unsynced journal and end the run.

        A journal with a ``run_end`` record (the process stopped the run but could not sync)
        ends with the recorded status, and so does a run whose ``stop.json`` says how it ended
        (its journal could no longer be written); any other ends KILLED, naming the cell it
        died in.

        Returns:
            The MLflow run id, or None when the journal holds no run.
        """
        records = list(read_journal(self.dir / JOURNAL_FILE))
        if not records:
            return None
        stopped = read_json(self.dir / STOP_FILE)
        if not self.ended and not any(r["type"] == "run_end" for r in records):
            if isinstance(stopped, dict):  # the kernel stopped the run without its journal
                records.append({**stopped, "seq": records[-1]["seq"] + 1, "type": "run_end"})
                self.apply(records, recovering=True)
                return self.run_id
            cells = summary.cell_executions(records, alive=False)
            dead = summary.died_in(cells)
            end_tags = {tags.END_REASON: "kernel-died"}
            if dead is not None:
                end_tags[tags.DIED_IN_CELL] = summary.describe_cell(dead)
            records.append(
                {
                    "seq": records[-1]["seq"] + 1,
                    "t": time.time(),
                    "type": "run_end",
                    "status": tags.KILLED,
                    "tags": end_tags,
                }
            )
        self.apply(records, recovering=True)
        return self.run_id
