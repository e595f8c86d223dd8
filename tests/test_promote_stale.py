"""Stale notebooks, the pure parts: drift rules, cell classes, image hashes, unseeded draws,
def-use order repair, failure diagnostics and the bundle's labels.

The before/after pairs are real: ``tests/fixtures/stale/old.ipynb`` and ``new.ipynb`` are the
same snippets run with NumPy 1.26 / pandas 1.5 / matplotlib 3.7 / SciPy 1.10 and with this
project's NumPy 2 / pandas 3 / matplotlib 3.11 / SciPy 1.17 (``make_pairs.py`` says how).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

from jupyterlab_xp.promote import (
    build,
    bundle,
    cellcheck,
    diagnose,
    imagehash,
    normalize,
    randomness,
    repair,
    verify,
)
from jupyterlab_xp.promote.defuse import cell_names
from jupyterlab_xp.promote.source import Source, from_notebook

FIXTURES = Path(__file__).parent / "fixtures" / "stale"


def _cells(name: str) -> dict[str, dict[str, Any]]:
    notebook = json.loads((FIXTURES / name).read_text())
    return {cell["id"]: cell for cell in notebook["cells"]}


OLD, NEW = _cells("old.ipynb"), _cells("new.ipynb")


def _pair(cell_id: str) -> tuple[str, str]:
    return (
        cellcheck.shown(OLD[cell_id]["outputs"]).text,
        cellcheck.shown(NEW[cell_id]["outputs"]).text,
    )


# Each drift rule, on the real pair that needs it: the texts differ before and agree after.
@pytest.mark.parametrize(
    ("cell_id", "rule"),
    [
        ("numpy-scalar", "numpy-scalar-repr"),
        ("std", "numpy-scalar-repr"),
        ("numpy-bool", "numpy-bool-repr"),
        ("pandas-dtype", "pandas-string-dtype"),
        ("dtypes", "pandas-dtypes-listing"),
        ("figure", "figure-size"),
        ("plot", "figure-size"),
        ("address", "memory-address"),
        ("array-summary", "array-shape-suffix"),
        ("sparse", "sparse-matrix-repr"),
        ("timestamp", "timestamp"),
        ("duration", "duration"),
    ],
)
def test_each_drift_rule_turns_a_real_pair_into_same_values(cell_id: str, rule: str) -> None:
    before, after = _pair(cell_id)
    assert before != after
    klass, rules, first = cellcheck.compare_text(before, after, 1e-6)
    assert klass == cellcheck.SAME, (cell_id, before, after)
    assert rule in rules and first is None
    # The rule on its own is needed: without it the pair is not the same.
    others = [r for r in normalize.RULES if r.name != rule]
    a, b = before, after
    for r in others:
        a, b = r.apply(a), r.apply(b)
    assert a != b, f"{rule} is not needed for {cell_id}"


def test_temp_paths_and_column_padding_are_drift_in_real_outputs() -> None:
    stored = cellcheck.shown(OLD["temp-path"]["outputs"]).stderr
    new = cellcheck.shown(NEW["temp-path"]["outputs"]).stderr
    assert stored != new and "/tmp/ipykernel_" in stored
    assert cellcheck.compare_text(stored, new, 1e-6)[:2] == (cellcheck.SAME, ["temp-path"])
    before, after = _pair("dtypes")  # "name     object" against "name        str"
    assert "whitespace" in cellcheck.compare_text(before, after, 1e-6)[1]


def test_real_numeric_drift_is_within_tolerance_and_a_tight_tolerance_says_differs() -> None:
    for cell_id in ("float32-sum", "determinant"):
        before, after = _pair(cell_id)
        assert before != after
        assert cellcheck.compare_text(before, after, 1e-6)[0] == cellcheck.CLOSE
    klass, _, first = cellcheck.compare_text(*_pair("float32-sum"), 1e-9)
    assert klass == cellcheck.DIFFERS
    assert first == {"stored": "49950.0", "new": "49950.00390625"}


def test_streams_are_joined_as_the_notebook_shows_them() -> None:
    # write + flush + print arrives in two chunks (or three: it varies run to run); a run where
    # the kernel sent it as one chunk shows the same text.
    chunks = OLD["stream-chunks"]["outputs"]
    assert len(chunks) >= 2
    whole = [
        {
            "output_type": "stream",
            "name": "stdout",
            "text": "".join("".join(c["text"]) for c in chunks),
        }
    ]
    assert cellcheck.classify(chunks, whole, 1e-6, False) == {"class": "identical", "rules": []}
    assert cellcheck.classify(chunks, NEW["stream-chunks"]["outputs"], 1e-6, False)["class"] == (
        cellcheck.IDENTICAL
    )


def test_an_error_raised_again_is_identical_and_a_new_error_differs() -> None:
    again = cellcheck.classify(
        OLD["error-again"]["outputs"], NEW["error-again"]["outputs"], 1e-6, False
    )
    assert again["class"] == cellcheck.IDENTICAL
    broke = cellcheck.classify(
        OLD["seaborn-style"]["outputs"], NEW["seaborn-style"]["outputs"], 1e-6, False
    )
    assert broke["class"] == cellcheck.DIFFERS
    assert broke["stored"].startswith("styled") and "OSError" in broke["new"]


def test_plots_compare_by_perceptual_hash() -> None:
    def png(cell: dict[str, Any]) -> Any:
        return [
            o["data"]["image/png"] for o in cell["outputs"] if "image/png" in o.get("data", {})
        ][-1]

    # The same plot at 432x288 (matplotlib 3.7, old inline backend) and 640x480 (today)
    same = imagehash.png_similarity(png(OLD["figure"]), png(NEW["figure"]))
    other = imagehash.png_similarity(png(NEW["figure"]), png(NEW["plot"]))  # another curve
    assert same is not None and other is not None
    assert same >= imagehash.SIMILAR > other
    assert imagehash.png_similarity(png(OLD["plot"]), png(OLD["plot"])) == 1.0
    entry = cellcheck.classify(OLD["figure"]["outputs"], NEW["figure"]["outputs"], 1e-6, False)
    assert entry["class"] == cellcheck.SAME and entry["image_similarity"] == round(same, 3)
    swapped = cellcheck.classify(OLD["figure"]["outputs"], NEW["plot"]["outputs"], 1e-6, False)
    assert swapped["class"] == cellcheck.DIFFERS


def test_the_whole_stale_notebook_is_classed_cell_by_cell() -> None:
    src = from_notebook(FIXTURES / "old.ipynb")
    cells = build.plan_cells(src, "notebook")
    new = json.loads((FIXTURES / "new.ipynb").read_text())
    # The executed notebook has promote's cells too: put the new outputs where the plan runs them
    by_id = {c["id"]: c for c in new["cells"]}
    executed = {
        "cells": [
            {"cell_type": "code", "outputs": by_id[c.source_cell_id]["outputs"]}
            if c.source_cell_id in by_id
            else {"cell_type": "code", "outputs": []}
            for c in cells
        ]
    }
    result = verify.compare_outputs(cells, executed, 1e-6)
    assert result is not None
    classes = {c["cell"].split(" (")[0]: c["class"] for c in result["cells"]}
    assert result["classes"] == {
        "identical": 4,  # describe, the DataFrame, the streams, the error raised again
        "same-values": 13,
        "within-tolerance": 2,
        "random": 1,
        "differs": 2,
    }, classes
    assert classes["cell 21"] == "differs" and classes["cell 19"] == "random"
    assert result["verified"] is False
    assert verify.overall("no-metrics", result) == "differs"
    differs = next(c for c in result["cells"] if c["class"] == "differs")
    assert differs["stored"] and differs["new"] and differs["first_difference"]


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["import numpy as np\nnp.random.rand(2)"], [True]),
        (["import numpy as np\nnp.random.seed(0)", "np.random.rand(2)"], [False, False]),
        (["import random\nrandom.seed(1)", "import numpy as np\nnp.random.rand(2)"], [False, True]),
        (["%xp start --seed 3", "import torch\ntorch.randn(2)"], [False, False]),
        (["rng = np.random.default_rng()", "rng.normal()"], [True, True]),
        (["rng = np.random.default_rng(42)", "rng.normal()"], [False, False]),
        (["train_test_split(X, y)"], [True]),
        (["train_test_split(X, y, random_state=0)"], [False]),
        (["np.random.seed(0)\nRandomForestClassifier(n_estimators=10)"], [False]),
    ],
)
def test_unseeded_draws_are_read_from_the_code(codes: list[str], expected: list[bool]) -> None:
    assert randomness.random_cells(codes) == expected


def test_a_seed_promote_added_does_not_count() -> None:
    codes = ["%load_ext jupyterlab_xp\n%xp start", "np.random.rand(2)"]
    assert randomness.random_cells(codes, [False, True]) == [False, True]


def test_def_use_names() -> None:
    names = cell_names(
        "%matplotlib inline\nfor i in range(3):\n    print(i, y)\nx += 1\n"
        "def f(a=b):\n    return z\nimport numpy as np, os.path\n[k for k in w]\n"
    )
    assert names.needs == {"y", "x", "b", "w"}  # not i, not k, not z (inside a body)
    assert {"i", "x", "f", "np", "os"} <= names.defines
    assert cell_names("from m import *").star
    assert cell_names("df = df.dropna()").needs == {"df"}


def _nb(*cells: tuple[str, int | None]) -> list[repair.Cell]:
    """Notebook code cells built with nbformat: (source, execution count)."""
    nb = nbformat.v4.new_notebook()
    for source, count in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.execution_count = count
        nb.cells.append(cell)
    code = [dict(c) for c in nb.cells]
    return repair.notebook_cells(code, [c["source"] for c in code])


def test_repair_moves_a_definition_before_its_first_use() -> None:
    # The function was (re)defined in In [253], after its use in In [32].
    cells = _nb(
        ("import math", 1),
        ("print(area(2))", 32),
        ("def area(r):\n    return math.pi * r * r", 253),
    )
    found = repair.plan(cells)
    assert found.order == [1, 3, 2]
    assert "moved cell 3 (In [253]) before cell 2 (In [32])" in found.steps[0]
    assert "`area`" in found.steps[0] and found.left_out == []


def test_repair_includes_a_cell_without_a_count_that_defines_a_needed_name() -> None:
    cells = _nb(
        ("data = load()", None),
        ("def load():\n    return [1, 2]", 1),
        ("print(len(data))", 2),
        ("scratch = 1", None),
    )
    found = repair.plan(cells)
    assert found.order == [2, 1, 3]
    assert "included cell 1, which has no execution count" in found.steps[0]
    assert found.left_out == ["cell 4: no execution count"]  # listed, never silent


def test_repair_notices_several_kernel_sessions() -> None:
    cells = _nb(("a = 1", 1), ("b = a", 2), ("c = b", 1), ("d = c", 2))
    found = repair.plan(cells)
    assert (
        found.sessions
        and "several kernel sessions" in found.sessions
        and "In [1]" in found.sessions
    )


def test_repair_drops_a_later_redefinition_that_broke_an_earlier_use() -> None:
    # In [4] re-defined df (in a later session, lower on the page) after In [3] made it a frame.
    cells = _nb(
        ("import pandas as pd\ndf = pd.DataFrame({'a': [1]})", 3),
        ("print(df.a.sum())", 5),
        ("df = df.to_dict()", 4),
    )
    found = repair.plan(cells)
    assert found.order == [1, 3, 2]
    again = repair.after_failure(
        cells, found, 2, "AttributeError", "'dict' object has no attribute 'a'"
    )
    assert again is not None and again.order == [1, 2]
    assert "left out cell 3 (In [4])" in again.steps[-1]
    assert again.left_out == ["cell 3 (In [4]): dropped, see above"]


def test_repair_after_a_name_error_the_analysis_could_not_see() -> None:
    cells = _nb(("globals()['k'] = 2\nprint(k)", 1), ("print(k * n)", 2), ("n = 3", 3))
    found = repair.plan(cells)
    assert found.order == [1, 3, 2]  # n was seen; k was not defined by any cell
    again = repair.after_failure(
        cells, repair.Repair([1, 2, 3]), 2, "NameError", "name 'n' is not defined"
    )
    assert again is not None and again.order == [1, 3, 2]


@pytest.mark.parametrize(
    ("cell_id", "package", "pin"),
    [("seaborn-style", "matplotlib", "matplotlib<3.8"), ("frame-append", "pandas", "pandas<2")],
)
def test_real_library_removals_name_the_line_the_library_and_what_to_try(
    cell_id: str, package: str, pin: str
) -> None:
    error = next(o for o in NEW[cell_id]["outputs"] if o["output_type"] == "error")
    details = diagnose.failure(error)
    assert details["line"] == "".join(NEW[cell_id]["source"]).splitlines()[0]
    assert details["raised_in"] == "library" and details["library"] == package
    assert details["removal"]["try"] == pin
    text = diagnose.describe(details)
    assert f"try it with '{pin}'" in text and "raised inside" in text


@pytest.mark.parametrize(
    ("ename", "evalue", "pin"),
    [
        # Messages as NumPy 2.4 and scikit-learn 1.9 raise them here.
        (
            "AttributeError",
            "module 'numpy' has no attribute 'float'.\n`np.float` was a deprecated alias",
            "numpy<1.24",
        ),
        (
            "AttributeError",
            "`np.NaN` was removed in the NumPy 2.0 release. Use `np.nan` instead.",
            "numpy<2",
        ),
        (
            "TypeError",
            "OneHotEncoder.__init__() got an unexpected keyword argument 'sparse'",
            "scikit-learn<1.4",
        ),
        ("ZeroDivisionError", "division by zero", None),
    ],
)
def test_the_removal_table(ename: str, evalue: str, pin: str | None) -> None:
    found = diagnose.known_removal(ename, evalue)
    assert (found or {}).get("try") == pin


def test_a_failing_line_in_the_notebook_is_not_the_cells_first_line() -> None:
    traceback = [
        "\x1b[0;31mZeroDivisionError\x1b[0m  Traceback (most recent call last)",
        "Cell \x1b[0;32mIn[3], line 2\x1b[0m\n\x1b[1;32m      1\x1b[0m x = 1\n"
        "\x1b[0;32m----> 2\x1b[0m x / 0",
        "\x1b[0;31mZeroDivisionError\x1b[0m: division by zero",
    ]
    details = diagnose.failure(
        {"ename": "ZeroDivisionError", "evalue": "division by zero", "traceback": traceback}
    )
    assert (details["line"], details["line_number"], details["raised_in"]) == (
        "x / 0",
        2,
        "notebook",
    )


def test_an_unrecorded_notebooks_bundle_never_calls_todays_packages_recorded() -> None:
    src = from_notebook(FIXTURES / "old.ipynb")
    src.notebook["metadata"]["language_info"]["version"] = "3.6.9"  # as a 2019 notebook says
    lock = bundle.lock_text(src)
    assert "recorded run" not in lock.split("\n", 1)[0] or lock.startswith("# Not a recorded")
    assert "Exact packages of the recorded run" not in lock
    assert "saved with Python 3.6.9" in lock and "saved with Python 3.6.9" in bundle.dockerfile(src)
    assert bundle.python_versions(src)["saved_with"] == "3.6.9"
    recorded = Source(name="r", version="v", lock="numpy==1.26.4\n", python="3.10.4")
    assert "packages its source run recorded" in bundle.dockerfile(recorded)
    assert bundle.python_versions(recorded)["recorded"] == "3.10.4"


def test_a_recorded_runs_journal_says_its_cells_ran_seeded() -> None:
    # Given the same draw before %xp start (the prelude) and as a journaled cell ("seq 3")
    stored = [{"output_type": "stream", "name": "stdout", "text": "0.5"}]
    cells = [
        build.PlannedCell("import numpy as np\nnp.random.rand()", "In [1] before %xp start"),
        build.PlannedCell("np.random.rand()", "seq 3"),
    ]
    for cell in cells:
        cell.outputs = stored
    executed = {
        "cells": [
            {"cell_type": "code", "outputs": [{**stored[0], "text": text}]}
            for text in ("0.7", "0.9")
        ]
    }
    # Then the prelude's draw was unseeded; the journaled one ran after %xp start seeded it
    result = verify.compare_outputs(cells, executed, 1e-6)
    assert result is not None
    assert [c["class"] for c in result["cells"]] == ["random", "differs"]


def test_stored_outputs_suggest_the_versions_that_made_them() -> None:
    # Given the notebook as matplotlib 3.7 / pandas 1.5 saved it (deprecation warnings, 432x288)
    old = json.loads((FIXTURES / "old.ipynb").read_text())
    new = json.loads((FIXTURES / "new.ipynb").read_text())
    hints = diagnose.output_hints(old)
    assert hints[0].startswith("matplotlib 3.6 or 3.7")
    assert any(h.startswith("pandas 1.4 or 1.5") for h in hints)
    assert any("432x288" in h for h in hints)
    assert diagnose.output_hints(old, "pandas") == [h for h in hints if h.startswith("pandas")]
    assert any(h.startswith("NumPy 2") for h in diagnose.output_hints(new))
    printed = {"cells": [{"outputs": [{"output_type": "stream", "text": "numpy 1.21.5\n"}]}]}
    assert diagnose.output_hints(printed, "numpy") == [
        "numpy 1.21.5 (a version printed in the stored outputs)"
    ]
    # and the failure says so before what to try
    error = next(o for o in NEW["seaborn-style"]["outputs"] if o["output_type"] == "error")
    details = diagnose.failure(error)
    details["removal"]["outputs_suggest"] = diagnose.output_hints(old, "matplotlib")
    assert "the stored outputs suggest matplotlib 3.6 or 3.7" in diagnose.describe(details)


def test_html_tables_are_read_cell_by_cell() -> None:
    # The DataFrame's text/html as pandas 1.5 wrote it: the table's cells, row by row
    html = next(o for o in OLD["dataframe"]["outputs"] if "text/html" in o.get("data", {}))
    text = normalize.html_table_text("".join(html["data"]["text/html"]))
    assert text is not None
    assert text.splitlines()[1:] == ["0\t1.50\tx", "1\t2.25\tyy", "2\t3.00\tzzz"]
    assert normalize.html_table_text("<p>no table</p>") is None
    # a wider plain text (another display width) that wraps differently: the tables agree
    wrapped = [{**html, "data": {**html["data"], "text/plain": "a name\n... 3 rows"}}]
    assert cellcheck.classify(OLD["dataframe"]["outputs"], wrapped, 1e-6, False)["class"] == (
        cellcheck.SAME
    )


def test_the_rest_models_carry_each_cells_class_and_the_failure() -> None:
    from jupyterlab_xp.server.models import Promotion

    src = from_notebook(FIXTURES / "old.ipynb")
    cells = build.plan_cells(src, "notebook")
    by_id = {c["id"]: c for c in json.loads((FIXTURES / "new.ipynb").read_text())["cells"]}
    executed = {
        "cells": [
            {"cell_type": "code", "outputs": by_id.get(c.source_cell_id, {}).get("outputs", [])}
            for c in cells
        ]
    }
    outputs = verify.compare_outputs(cells, executed, 1e-6)
    error = next(o for o in NEW["seaborn-style"]["outputs"] if o["output_type"] == "error")
    verification = {
        "verdict": verify.overall("no-metrics", outputs),
        "tolerance": 1e-6,
        "metrics_compared": 0,
        "largest": [],
        "outputs": outputs,
        "order": build.auto_repair(src).as_dict(),
        "python": bundle.python_versions(src),
    }
    run = {
        "seed": 0,
        "run_id": "r" * 32,
        "status": "FAILED",
        "executed_notebook": None,
        "error": "x",
        "verification": verification,
        "failure": {**diagnose.failure(error), "position": 21},
    }
    body = Promotion(
        id="j",
        state="failed",
        source_run_id=None,
        notebook=None,
        name="old",
        order="auto",
        params={},
        seeds=[0],
        cells_done=1,
        cells_total=2,
        current_cell=None,
        runs=[run],
        verdict="differs",
        order_repair={**build.auto_repair(src).as_dict(), "attempts": 1},
        error=None,
        bundle=None,
        created=0.0,
        finished=None,
    )
    sent = json.loads(body.model_dump_json())
    sent_cells = sent["runs"][0]["verification"]["outputs"]["cells"]
    assert [c["class"] for c in sent_cells] == [c["class"] for c in outputs["cells"]]
    assert sent["runs"][0]["failure"]["removal"]["try"] == "matplotlib<3.8"


def test_a_name_only_its_own_cell_defines_does_not_stop_later_repairs() -> None:
    # `total += 1` needs total, which only that cell defines; area() still moves up
    cells = _nb(("total += 1", 1), ("print(area(2))", 2), ("def area(r):\n    return r * r", 3))
    assert repair.plan(cells).order == [1, 3, 2]


@pytest.mark.parametrize(
    ("ename", "evalue", "tool"),
    [
        # As subprocess and matplotlib 3.11 raise them on this machine, which has neither
        ("FileNotFoundError", "[Errno 2] No such file or directory: 'ffmpeg'", "ffmpeg"),
        (
            "RuntimeError",
            "Failed to process string with tex because latex could not be found",
            "latex",
        ),
        ("FileNotFoundError", "[Errno 2] No such file or directory: 'data.csv'", None),
    ],
)
def test_a_missing_system_tool_is_named_as_such(ename: str, evalue: str, tool: str | None) -> None:
    details = diagnose.failure({"ename": ename, "evalue": evalue, "traceback": []})
    assert details["missing_tool"] == tool
    assert ("not a Python package" in diagnose.describe(details)) == (tool is not None)
