"""The redaction step on a 1,000-cell run next to copying the same files unredacted.

Redaction runs on the sync thread, never on a cell's path: this is CPU that thread spends, as
each record arrives (``Redactor.record``) and once at the end (``Redactor.staged`` over the
artifacts: journal copy, cells.jsonl, the notebook snapshot with outputs).
"""

from __future__ import annotations

import base64
import json
import random
import shutil
import tempfile
import time
from pathlib import Path

from _common import header, line, median

CELLS = 1000
ROUNDS = 5


def _source(i: int, rng: random.Random) -> str:
    lines = [
        "import numpy as np",
        f"x_{i} = np.random.default_rng({i}).normal(size=(64, {i % 7 + 1}))",
        f"loss_{i} = float(((x_{i} - x_{i}.mean()) ** 2).mean())",
        f"print('step', {i}, 'loss', round(loss_{i}, 4), 'sha', '{rng.randbytes(32).hex()}')",
    ]
    if i % 100 == 0:  # a secret now and then
        lines.append('api_key = "sk-proj-' + base64.b32encode(rng.randbytes(20)).decode() + '"')
    return "\n".join(lines) + "\n"


def build_run(folder: Path) -> Path:
    """A run folder as the recorder leaves it: journal, and the derived artifacts."""
    from jupyterlab_xp.journal.jsonl import CellJournal
    from jupyterlab_xp.journal.summary import cell_executions, cells_jsonl

    rng = random.Random(0)
    artifacts = folder / "artifacts"
    artifacts.mkdir(parents=True)
    journal = CellJournal(folder / "journal.jsonl")
    journal.append("run_start", local_id="0" * 32, experiment="bench", tags={}, params={})
    png = base64.b64encode(rng.randbytes(30_000)).decode()
    nb_cells = []
    for i in range(1, CELLS + 1):
        source = _source(i, rng)
        journal.append("cell_start", cell=i, execution_count=i, cell_id=f"c{i}", source=source)
        journal.append("cell_end", cell=i, execution_count=i, duration=0.01, status="ok")
        if i % 10 == 0:
            journal.append("metric", metrics={"train/loss": 1.0 / i}, step=i)
        outputs = [{"output_type": "stream", "name": "stdout", "text": [f"step {i} loss 0.1\n"]}]
        if i % 50 == 0:
            outputs.append(
                {"output_type": "display_data", "data": {"image/png": png}, "metadata": {}}
            )
        nb_cells.append(
            {
                "cell_type": "code",
                "id": f"c{i}",
                "metadata": {},
                "execution_count": i,
                "source": source.splitlines(keepends=True),
                "outputs": outputs,
            }
        )
    journal.close()
    records = [json.loads(x) for x in (folder / "journal.jsonl").read_text().splitlines()]
    for rec in records:
        rec.pop("sum")
    (artifacts / "cells.jsonl").write_text(cells_jsonl(cell_executions(records)))
    notebook = {"cells": nb_cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (artifacts / "notebook.ipynb").write_text(json.dumps(notebook, indent=1))
    shutil.copyfile(folder / "journal.jsonl", artifacts / "journal.jsonl")
    return folder


def main() -> None:
    from jupyterlab_xp.core.secrets import plugin_patterns
    from jupyterlab_xp.journal.jsonl import read_journal
    from jupyterlab_xp.store.redaction import Redactor

    plugin_patterns()  # the one-off import of detect-secrets is not what we time
    header(f"redaction of a {CELLS}-cell run (sync thread)")
    folder = build_run(Path(tempfile.mkdtemp(prefix="xp-bench-redact-")))
    records = list(read_journal(folder / "journal.jsonl"))
    size = sum(p.stat().st_size for p in (folder / "artifacts").iterdir())
    live, final, copy = [], [], []
    for _ in range(ROUNDS):
        redactor = Redactor()
        start = time.perf_counter()
        for rec in records:
            redactor.record(rec)
        live.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        with redactor.staged(folder / "artifacts"):
            final.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(folder / "artifacts", Path(tmp) / "copy")
            copy.append((time.perf_counter() - start) * 1000)
    cold = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        with Redactor().staged(folder / "artifacts"):
            cold.append((time.perf_counter() - start) * 1000)
    print(f"{len(records)} records, artifacts {size / 1e6:.1f} MB; {redactor.ledger.describe(2)}")
    base = median(copy)
    line("every record as it arrives (Redactor.record)", median(live), base, "copy")
    line("artifacts at the end, after the records", median(final), base, "copy")
    line("artifacts at the end, nothing seen before", median(cold), base, "copy")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
