"""Differences that are not a difference in the result: each has its own class or drift rule,
and a changed result still differs.

The notebook is written here, with what older versions printed; it runs in a real kernel
through a real promotion (real papermill, real store).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from jupyterlab_xp.frontends.render_verify import render_excused
from jupyterlab_xp.promote import cellcheck, jobs, randomness, verify
from jupyterlab_xp.promote.shims.torch import _own_files
from jupyterlab_xp.promote.source import from_notebook
from test_promote import wait_job
from test_promote_stale_e2e import _code, _notebook
from test_promote_stale_shims import _error
from test_shims_removed_apis import _result

OLD_HELP = (
    "Help on built-in function len in module builtins:\n\nlen(...)\n"
    "    len(object) -> integer\n\n    Return the number of items of a sequence or mapping.\n"
)

# np.partition(x, 3) as another NumPy may leave it: each side of the 4th value in another order
_PARTITIONED = np.partition(np.array([7, 2, 3, 1, 6, 5, 4]), 3)
OTHER_PARTITION = repr(np.concatenate([_PARTITIONED[:3][::-1], _PARTITIONED[3:][::-1]]))


def test_what_reports_the_environment_and_what_drifted_is_named_and_a_draw_is_followed(
    store: Any, tmp_path: Path
) -> None:
    # Given: a notebook saved with Python 3.7, NumPy 1.13, pandas 1, matplotlib 2 and
    # SciPy 1.10, on a day in 2015, that draws unseeded numbers, saves and reloads its own
    # model, and exports itself at the end
    notebook = _notebook(
        tmp_path / "old.ipynb",
        [
            _code(
                "import sys\nprint('Python version:', sys.version)",
                1,
                "Python version: 3.7.6 (default, Jan  8 2020, 20:23:39) "
                "[MSC v.1916 64 bit (AMD64)]\n",
            ),
            _code(
                "import numpy as np\nimport pandas as pd\nprint('[OK] numpy', np.__version__)\n"
                "print('pandas version:', pd.__version__)",
                2,
                "[OK] numpy 1.13.3\npandas version: 1.0.3\n",
            ),
            _code("help(len)", 3, OLD_HELP),
            _code("import datetime\nstarted = datetime.datetime.now()", 4),
            _code("print(started.year >= 2015, started.year)", 5, "True 2015\n"),
            _code("x = np.random.rand(3)", 6),
            _code("print(round(float(x.sum()), 3))", 7, "1.234\n"),
            _code("x = np.arange(3.0)\nprint(x.sum())", 8, "3.0\n"),
            _result(
                "pd.Series([0, 1, 0], name='label').value_counts()",
                9,
                "0    2\n1    1\nName: label, dtype: int64",
            ),
            _code(
                "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nplt.close(fig)\n"
                "print(repr(fig))\nprint(repr(ax))",
                10,
                "<matplotlib.figure.Figure at 0x10b4b0d30>\n"
                "<matplotlib.axes._subplots.AxesSubplot object at 0x7f8a1c2d3e50>\n",
            ),
            _code(
                "import scipy.sparse as sp\nprint(sp.csr_matrix(np.eye(2)))",
                11,
                "  (0, 0)\t1.0\n  (1, 1)\t1.0\n",
            ),
            _result("np.linspace(0, 1, 3)", 12, "array([ 0. ,  0.5,  1. ])"),
            _code("import torch\ntorch.save(torch.nn.Linear(2, 1), 'model.pt')", 13),
            _code("model = torch.load('model.pt')\nprint(type(model).__name__)", 14, "Linear\n"),
            _code(
                "!echo converting old.ipynb",
                15,
                "[NbConvertApp] Converting notebook old.ipynb to script\n",
            ),
            _code("from email.mime.text import MIMEText\nprint(email.__name__)", 16, "email\n"),
            _error("print(json.dumps(1))", 17, "NameError", "name 'json' is not defined"),
            _result("np.partition(np.array([7, 2, 3, 1, 6, 5, 4]), 3)", 18, OTHER_PARTITION),
            _result("plt.style.available[:2]", 19, "['_classic_test_patch', 'bmh']"),
        ],
    )

    # When: it is promoted
    done = wait_job(store, jobs.create(store, from_notebook(notebook))["id"])

    # Then: every cell ran; each difference has its class and the rule that says why
    assert done["state"] == "finished", done["error"]
    check = done["runs"][0]["verification"]
    cells = {c["cell"].split(" (")[0]: c for c in check["outputs"]["cells"]}
    classes = {k: c["class"] for k, c in cells.items()}
    assert classes == {
        "cell 1": "environment",
        "cell 2": "environment",
        "cell 3": "environment",
        "cell 4": "no-stored-output",
        "cell 5": "environment",
        "cell 6": "no-stored-output",
        "cell 7": "random",  # a value made from an unseeded draw
        "cell 8": "identical",  # x assigned again from values nothing random made
        "cell 9": "same-values",
        "cell 10": "same-values",
        "cell 11": "same-values",
        "cell 12": "same-values",
        "cell 13": "no-stored-output",
        "cell 14": "identical",
        "cell 15": "notebook-export",
        "cell 16": "identical",  # the package it imported from, bound by its name
        "cell 17": "identical",  # json, never imported from: still a NameError
        "cell 18": "same-values",  # another valid partition: the order NumPy leaves open
        "cell 19": "environment",  # the style sheets this matplotlib ships
    }, json.dumps(check["outputs"]["cells"], indent=1)
    assert "python-version" in cells["cell 1"]["rules"]
    assert "package-version" in cells["cell 2"]["rules"]
    assert "help-text" in cells["cell 3"]["rules"]
    assert "clock" in cells["cell 5"]["rules"]
    assert cells["cell 5"]["first_difference"]["stored"] == "2015.0"  # what differed, still
    assert "pandas-value-counts" in cells["cell 9"]["rules"]
    assert {"figure-repr", "axes-repr"} <= set(cells["cell 10"]["rules"])
    assert "sparse-str-header" in cells["cell 11"]["rules"]
    assert cells["cell 12"]["rules"] == ["whitespace"]
    assert cells["cell 18"]["rules"] == ["partition-order"]
    assert cells["cell 19"]["rules"] == ["installed-listing"]
    # ... the verdict is random (not exact), and says what it excused, like the shims
    assert check["verdict"] == "random"
    assert check["outputs"]["classes"]["environment"] == 5
    assert render_excused(check["outputs"]) == [
        "excused     environment in 5 cell(s): only what reports the environment differs "
        "(clock, help-text, installed-listing, package-version, python-version)",
        "excused     random in 1 cell(s): unseeded random draws, or values made from them",
        "excused     notebook-export in 1 cell(s): exports the notebook's own file, not compared",
    ]
    shims = {u["name"]: u["detail"] for u in check["shims"]}
    assert shims["torch-load-own-file"] == (
        "torch.load('model.pt') with weights_only=False: the file this run's torch.save wrote"
    )
    assert shims["module-name-bound"] == (
        "email used by name, imported only as from email... import: bound to the package, "
        "as import email would"
    )


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("import matplotlib.pyplot as plt\nplt.style.available[:5]", True),
        ("fig.canvas.get_supported_filetypes()", True),
        ("import math\ndir(math)", True),
        ("np.__version__", True),
        ("dir(model)", False),  # the notebook's own object
        ("model.available", False),
        ("print(len(plt.style.available))", False),  # a value made from it
        ("x = np.__version__", False),  # shows nothing
    ],
)
def test_a_value_that_lists_the_installed_software_reports_the_environment(
    code: str, expected: bool
) -> None:
    assert verify.lists_installed(code) is expected


@pytest.mark.parametrize(
    ("stored", "new", "agree"),
    [
        ("array([2, 1, 3, 4, 6, 5, 7])", "array([1, 2, 3, 4, 5, 6, 7])", True),
        (
            "array([[0, 4, 7, 6],\n       [0, 2, 6, 5]])",
            "array([[0, 4, 6, 7], [0, 2, 5, 6]])",
            True,
        ),
        ("array([2, 1, 3, 4])", "array([1, 2, 3, 5])", False),  # another value
        ("array([[1, 2], [3, 4]])", "array([[1, 3], [2, 4]])", False),  # values moved rows
        ("array([1, 2])", "[1, 2]", False),
    ],
)
def test_partitions_agree_only_on_the_same_values_in_each_row(
    stored: str, new: str, agree: bool
) -> None:
    assert verify.partitions_agree(stored, new) is agree


@pytest.mark.parametrize(
    ("stored", "new"),
    [
        ("loss 0.31", "loss 0.25"),  # a number after a word that is no package
        ("numpy version: 1.18.1\nmean 0.5", "numpy version: 2.4.6\nmean 0.7"),
        ("Help on function f in module __main__:\n\nf(x)\n", "x = 3"),
        (  # what the cell prints after help() is compared
            "Help on function f in module __main__:\n\nf(x)\n    Old doc.\n\nresult 1.5",
            "Help on function f in module __main__:\n\nf(x, /)\n    New doc.\n\nresult 2.5",
        ),
    ],
)
def test_a_changed_result_beside_an_environment_line_still_differs(stored: str, new: str) -> None:
    # When: the texts are compared
    klass, _, first = cellcheck.compare_text(stored, new, 1e-6)

    # Then: they differ, and the difference is named
    assert klass == cellcheck.DIFFERS and first


def test_numpy_1_13_padding_and_wrapping_is_the_same_array() -> None:
    # Given: an array as NumPy 1.13 printed it (a space for the sign, another line width)
    values = np.arange(0.0, 10.0, 0.5)
    with np.printoptions(legacy="1.13"):
        stored = repr(values)
    new = repr(values)
    assert stored != new

    # Then: the same values, by the whitespace rule; other values still differ
    assert cellcheck.compare_text(stored, new, 1e-6)[:2] == (cellcheck.SAME, ["whitespace"])
    assert cellcheck.compare_text(stored, repr(values + 1), 1e-6)[0] == cellcheck.DIFFERS


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["import numpy as np\nx = np.random.rand(3)", "x.sum()"], [True, True]),
        (["x = np.random.rand(3)", "x = np.arange(3)", "x.sum()"], [True, False, False]),
        (
            [
                "import random\ndata = []",
                "for _ in range(3):\n    data.append(random.random())",
                "data",
            ],
            [False, True, True],
        ),
        (["rng = np.random.default_rng()", "L = rng.random(5)", "print(L.sum())"], [True] * 3),
        (["np.random.seed(0)\nx = np.random.rand(3)", "x.sum()"], [False, False]),
        (["def noise():\n    return np.random.randn()", "y = noise() + 1", "y"], [True] * 3),
        (
            ["x = np.random.rand(3)", "y = np.linspace(0, 1, 3)\nz = x + 1", "y", "z"],
            [True, True, False, True],
        ),
        (["x = np.arange(5)", "np.random.shuffle(x)", "x"], [False, True, True]),
        (["x = np.random.rand(3)\n%timeit x.sum()", "x = 1", "x"], [True, False, False]),
        # NumPy's generator by the names star imports, from-imports and %pylab bind
        (["from numpy import *", "M = random.rand(3, 3)\nM", "M.sum()"], [False, True, True]),
        (["from numpy import *", "random.seed(1)\nrandom.rand(2)"], [False, False]),
        (
            ["%pylab inline", "x = randn(100)", "plot(x)", "linspace(0, 1)"],
            [False, True, True, False],
        ),
        (
            ["from numpy.random import rand, seed as s", "rand(3)", "s(0)\nrand(3)"],
            [False, True, False],
        ),
        (
            ["import numpy.random as npr", "npr.normal(size=3)", "npr.get_state()"],
            [False, True, False],
        ),
        (
            ["from numpy import random", "random.rand(2)", "import random", "random.gauss(0, 1)"],
            [False, True, False, True],
        ),
        (["from numpy import arange", "def rand():\n    return 4", "rand()"], [False] * 3),
    ],
)
def test_values_made_from_an_unseeded_draw_are_random(
    codes: list[str], expected: list[bool]
) -> None:
    assert randomness.random_cells(codes) == expected


def test_values_made_from_the_clock_report_when_the_cell_ran() -> None:
    codes = [
        "import datetime\nnow = datetime.datetime.now()",
        "later = now + datetime.timedelta(days=1)",
        "print(later)",
        "print(datetime.date(2020, 1, 1))",
        "import pandas as pd\nstamp = pd.Timestamp('now')",
    ]
    assert randomness.clock_cells(codes) == [True, True, True, False, True]
    assert randomness.clock_cells(codes, [False, True, True, True, True])[:3] == [
        False,
        False,
        False,
    ]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("!jupyter nbconvert --to script nb.ipynb", True),
        ("# export\n! python ../convert.py --input nb.ipynb --output nb.py", True),
        ("%%bash\njupytext --to py nb.ipynb", True),
        ("!ls nb.ipynb\nprint(open('nb.ipynb').read()[:10])", False),  # Python reads it too
        ("!echo hello", False),
        ("!cat other.ipynb", False),
    ],
)
def test_a_cell_exports_the_notebook_when_its_shell_commands_name_its_file(
    code: str, expected: bool
) -> None:
    assert verify.exports_notebook(code, "nb.ipynb") is expected
    assert verify.exports_notebook(code, None) is False


def test_torch_load_reads_whole_only_the_unchanged_file_this_run_saved(tmp_path: Path) -> None:
    import torch

    # Given: torch.save and torch.load with the shim, and a model saved by it, one saved
    # without it (from elsewhere) and one changed after it was saved
    shimmed = SimpleNamespace(save=torch.save, load=torch.load)
    _own_files(shimmed)
    own, other, changed = (tmp_path / f"{n}.pt" for n in ("own", "other", "changed"))
    shimmed.save(torch.nn.Linear(2, 1), own)
    torch.save(torch.nn.Linear(2, 1), other)
    shimmed.save(torch.nn.Linear(2, 1), str(changed))
    torch.save(torch.nn.Linear(3, 1), changed)

    # Then: only the run's own, unchanged file loads whole
    assert isinstance(shimmed.load(own), torch.nn.Linear)
    for path in (other, changed):
        with pytest.raises(Exception, match="Weights only load failed"):
            shimmed.load(path)
    # ... and a call that says weights_only itself is left alone
    with pytest.raises(Exception, match="Weights only load failed"):
        shimmed.load(own, weights_only=True)
