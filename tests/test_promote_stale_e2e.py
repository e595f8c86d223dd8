"""Stale notebooks end to end (real papermill, real store): order repair, drift, diagnostics.

- a notebook saved out of order, whose defining cell was deleted (a later re-definition lower on
  the page survives) and whose other needed cell lost its count, runs with ``--order auto``;
- the snippets run with NumPy 1 / pandas 1.5 / matplotlib 3.7 (``fixtures/stale/old.ipynb``)
  promoted in today's environment come out ``same-values`` where only presentation drifted;
- a removed matplotlib style fails naming the line, the library and what to try.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from jupyterlab_xp.promote import jobs
from jupyterlab_xp.promote.source import from_notebook
from test_promote import wait_job

FIXTURES = Path(__file__).parent / "fixtures" / "stale"


def _code(source: str, count: int | None, stdout: str | None = None) -> dict[str, Any]:
    outputs = [{"output_type": "stream", "name": "stdout", "text": stdout}] if stdout else []
    return {
        "cell_type": "code",
        "metadata": {},
        "execution_count": count,
        "outputs": outputs,
        "source": source,
    }


def _notebook(path: Path, cells: list[dict[str, Any]], python: str = "3.9.7") -> Path:
    for index, cell in enumerate(cells):
        cell.setdefault("id", f"c{index}")
    doc = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python", "version": python},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(doc))
    return path


def test_auto_order_repairs_a_notebook_whose_defining_cell_was_deleted(
    store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # Given: area() was first defined in a cell since deleted (In [2]); its re-definition ran as
    # In [7], lower on the page. `scale` is set by a cell whose count was cleared.
    notebook = _notebook(
        tmp_path / "stale.ipynb",
        [
            _code("import math", 1),
            _code("scale = 2", None),
            _code("r = area(scale)\nprint(round(r, 3))", 5, "12.566\n"),
            _code("print('between')", 6, "between\n"),
            _code("def area(x):\n    return math.pi * x * x", 7),
            _code("notes = 'scratch, never needed'", None),
        ],
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "XP_"))}
    env["XP_HOME"] = str(xp_home)

    def promote(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "jupyterlab_xp", "promote", str(notebook), "--json", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    # When: promoted in execution-count order, then in auto order (the default for a notebook)
    plain = promote("--order", "execution-count")
    ran = promote()

    # Then: the counts alone fail on the use before the definition; auto restores it and says why
    assert plain.returncode == 1
    assert "NameError" in json.loads(plain.stdout)["error"]
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-2000:]
    result = json.loads(ran.stdout)
    promotion = result["promotion"]
    assert result["state"] == "finished" and result["verdict"] == "exact"
    repaired = promotion["order_repair"]
    assert repaired["cells"] == [1, 5, 2, 3, 4]
    assert any("moved cell 5 (In [7]) before cell 3 (In [5])" in s for s in repaired["steps"])
    assert any("included cell 2, which has no execution count" in s for s in repaired["steps"])
    assert repaired["left_out"] == ["cell 6: no execution count"]
    check = promotion["runs"][0]["verification"]
    classes = {c["cell"]: c["class"] for c in check["outputs"]["cells"]}
    assert classes["cell 3 (In [5])"] == "identical" and classes["cell 4 (In [6])"] == "identical"
    assert check["outputs"]["verified"] is True
    assert check["python"]["saved_with"] == "3.9.7"
    assert check["python"]["today"] == ".".join(map(str, sys.version_info[:3]))
    # jupyter xp show prints the per-cell classes and the order used
    show = subprocess.run(
        [sys.executable, "-m", "jupyterlab_xp", "show", result["runs"][0]],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert show.returncode == 0, show.stderr
    assert "order       auto" in show.stdout and "left out: cell 6" in show.stdout
    assert "cell 3 (In [5])" in show.stdout and "identical" in show.stdout


def test_a_notebook_run_with_old_libraries_reproduces_as_same_values_and_a_removal_is_diagnosed(
    store: Any, tmp_path: Path
) -> None:
    # Given: the snippets as NumPy 1.26 / pandas 1.5 / matplotlib 3.7 printed them
    old = json.loads((FIXTURES / "old.ipynb").read_text())
    broken = ("seaborn-style", "frame-append")
    kept = dict(old, cells=[c for c in old["cells"] if c["id"] not in broken])
    stale = tmp_path / "stale.ipynb"
    stale.write_text(json.dumps(kept))
    styled = dict(old, cells=[c for c in old["cells"] if c["id"] in ("figure", "seaborn-style")])
    style = tmp_path / "style.ipynb"
    style.write_text(json.dumps(styled))

    # When: both are promoted in today's environment (the style without the shims, which
    # would answer the removed name: test_promote_stale_shims.py)
    started = [
        jobs.create(store, from_notebook(stale))["id"],
        jobs.create(store, from_notebook(style), shims=False)["id"],
    ]
    done, failed = (wait_job(store, job_id) for job_id in started)

    # Then: only the unseeded draw and the %time line's timings are not reproduced ...
    assert done["state"] == "finished", done
    check = done["runs"][0]["verification"]
    cells = {c["line"]: c for c in check["outputs"]["cells"]}
    assert check["verdict"] == "random", check["outputs"]["classes"]
    assert cells["np.random.rand(2)"]["class"] == "random"
    assert cells["import numpy as np"]["class"] == "same-values"  # np.float64(...) vs plain
    assert "numpy-scalar-repr" in cells["import numpy as np"]["rules"]
    assert cells["%matplotlib inline"]["class"] == "same-values"  # 432x288 then, 640x480 now
    assert cells["%matplotlib inline"]["image_similarity"] >= 0.9
    assert cells["from scipy import sparse"]["class"] == "same-values"
    assert cells["{}['missing']"]["class"] == "identical"  # the error, raised again
    assert check["outputs"]["classes"].get("differs", 0) == 0
    # ... and the removed style names its line, the library and what to try
    assert failed["state"] == "failed"
    run = failed["runs"][0]
    assert run["failure"]["line"] == "plt.style.use('seaborn-whitegrid')"
    assert run["failure"]["raised_in"] == "library" and run["failure"]["library"] == "matplotlib"
    assert "try it with 'matplotlib<3.8'" in run["error"]
    assert "seaborn-v0_8-whitegrid" in run["error"]
    assert "the stored outputs suggest matplotlib 3.6 or 3.7" in run["error"]


def test_auto_order_drops_a_later_redefinition_after_the_run_fails(
    store: Any, tmp_path: Path
) -> None:
    # Given: df was made a frame in In [3], used as one in In [5]; In [4], lower on the page
    # (another session), made it a dict. Counts alone run 3, 4, 5 and break the use.
    notebook = _notebook(
        tmp_path / "redef.ipynb",
        [
            _code("import pandas as pd\ndf = pd.DataFrame({'a': [1, 2]})", 3),
            _code("print(df.a.sum())", 5, "3\n"),
            _code("df = df.to_dict()", 4),
        ],
    )

    # When it is promoted in auto order
    job = wait_job(store, jobs.create(store, from_notebook(notebook))["id"])

    # Then the first attempt failed on the AttributeError, the second left In [4] out and
    # reproduced the stored output; both attempts are runs of their own
    assert job["state"] == "finished", job
    repaired = job["order_repair"]
    assert repaired["attempts"] == 2 and repaired["cells"] == [1, 2]
    assert "raised AttributeError: left out cell 3 (In [4])" in repaired["steps"][-1]
    assert repaired["left_out"] == ["cell 3 (In [4]): dropped, see above"]
    check = job["runs"][0]["verification"]
    assert check["verdict"] == "exact" and check["outputs"]["classes"]["identical"] == 1
    runs = {r.data.tags.get("xp.promotion.id"): r.info.status for r in store.search_runs()}
    assert runs == {f"{job['id']}:0": "FAILED", f"{job['id']}:0:attempt2": "FINISHED"}
