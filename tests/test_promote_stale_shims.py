"""Compatibility shims end to end (real papermill, real store, real kernels): a notebook saved
with older libraries runs today, every shim it needed is named in the verdict, cells that could
only be skipped or answered say so, and ``shims=False`` runs the notebook as written.

Each notebook is written here, with the outputs the old libraries printed.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

from jupyterlab_xp.frontends.render_verify import render_verification
from jupyterlab_xp.promote import jobs, plotera, shims
from jupyterlab_xp.promote.source import from_notebook
from test_promote import wait_job
from test_promote_stale_e2e import _code, _notebook


def _error(source: str, count: int, ename: str, evalue: str) -> dict[str, Any]:
    cell = _code(source, count)
    cell["outputs"] = [{"output_type": "error", "ename": ename, "evalue": evalue, "traceback": []}]
    return cell


def _png(
    style: str, figsize: tuple[float, float], dpi: int, rc: dict[str, Any] | None = None
) -> str:
    """A line plot drawn as an old inline backend drew it, as a notebook stores it (``rc``
    over the style)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.style.context(style), matplotlib.rc_context(rc or {}):
        fig, ax = plt.subplots(figsize=figsize, dpi=dpi)
        ax.plot([0, 1, 2, 3], [0, 1, 4, 9])
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight")
        plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _image(source: str, count: int, png: str) -> dict[str, Any]:
    cell = _code(source, count)
    cell["outputs"] = [
        {
            "output_type": "display_data",
            "data": {"image/png": png, "text/plain": "<Figure size 432x288 with 1 Axes>"},
            "metadata": {},
        }
    ]
    return cell


def test_removed_apis_run_through_named_shims_each_recorded_in_the_verdict(
    store: Any, tmp_path: Path
) -> None:
    # Given: a notebook saved with matplotlib 3.5, NumPy 1.21, pandas 1.3, scikit-learn 1.0 and
    # IPython 7, with the outputs they printed (the liblinear fit is checked against a
    # OneVsRestClassifier of binary liblinear fits, the independent reference)
    notebook = _notebook(
        tmp_path / "old.ipynb",
        [
            _code("%load_ext watermark", 1),
            _code("%watermark -v -p numpy", 2, "Python implementation: CPython\nnumpy: 1.21.2\n"),
            _code(
                "import matplotlib.pyplot as plt\nplt.style.use('seaborn-whitegrid')\n"
                "from IPython.display import set_matplotlib_formats\n"
                "set_matplotlib_formats('png')\nprint(plt.rcParams['axes.grid'])",
                3,
                "True\n",
            ),
            _code(
                "import numpy as np\nprint(np.float(2.5) + np.float_(1), np.int(3))", 4, "3.5 3\n"
            ),
            _code(
                "import pandas as pd\n"
                "frame = pd.DataFrame({'a': [1.0]}).append({'a': None}, ignore_index=True)\n"
                "print(frame.fillna(method='ffill').a.tolist())",
                5,
                "[1.0, 1.0]\n",
            ),
            _error("frame.loc['missing']", 6, "KeyError", "'missing'"),
            _code(
                "from sklearn.datasets import load_iris\n"
                "from sklearn.linear_model import LogisticRegression\n"
                "from sklearn.multiclass import OneVsRestClassifier\n"
                "X, y = load_iris(return_X_y=True)\n"
                "model = LogisticRegression(solver='liblinear').fit(X, y)\n"
                "ovr = OneVsRestClassifier(LogisticRegression(solver='liblinear')).fit(X, y)\n"
                "reference = np.vstack([e.coef_ for e in ovr.estimators_])\n"
                "print(model.coef_.shape, np.allclose(model.coef_, reference),\n"
                "      (model.predict(X) == ovr.predict(X)).all(),\n"
                "      np.allclose(model.predict_proba(X), ovr.predict_proba(X)))",
                7,
                "(3, 4) True True True\n",
            ),
            _code("name = input('name? ')\nprint(repr(name))", 8, "name? Ada\n'Ada'\n"),
            _code("print('after the prompt')", 9, "after the prompt\n"),
        ],
    )

    # When: promoted as it is (shims on, the default for a notebook file), and without shims
    done = wait_job(store, jobs.create(store, from_notebook(notebook))["id"])
    plain = wait_job(store, jobs.create(store, from_notebook(notebook), shims=False)["id"])

    # Then: every cell ran (the stored KeyError raised again), the outputs reproduce ...
    assert done["state"] == "finished", done["error"]
    run = done["runs"][0]
    check = run["verification"]
    assert check["verdict"] == "exact", json.dumps(check, indent=1)
    classes = {c["line"]: c["class"] for c in check["outputs"]["cells"]}
    assert classes["frame.loc['missing']"] == "identical"
    assert classes["print('after the prompt')"] == "identical"
    assert classes["from sklearn.datasets import load_iris"] == "identical"
    # ... the cells that could only be skipped or answered are classed so, with what was done
    skipped = {c["line"]: c["note"] for c in check["outputs"]["cells"] if c["class"] == "skipped"}
    assert skipped["%watermark -v -p numpy"] == "%watermark -v -p numpy: skipped"
    assert "answered with an empty line" in skipped["name = input('name? ')"]
    # ... and each shim used is named, on the run and in verify.json, never silently
    used = {u["name"] for u in check["shims"]}
    assert used == {
        "optional-extension",
        "matplotlib-seaborn-styles",
        "ipython-set-matplotlib-formats",
        "numpy-removed-aliases",
        "pandas-append",
        "sklearn-liblinear-multiclass",
        "interactive",
    }
    assert run["shims"] == check["shims"]
    # What jupyter xp show and promote print: In [6] after the shims, parameters and start cells
    shown = render_verification(check)
    assert (
        "shim        matplotlib-seaborn-styles (executed notebook In [6]): style "
        "'seaborn-whitegrid' used as "
        "'seaborn-v0_8-whitegrid'" in shown
    )
    assert any(line.startswith("  cell 8 (In [8])") and "skipped" in line for line in shown)
    style = next(u for u in check["shims"] if u["name"] == "matplotlib-seaborn-styles")
    assert style["detail"] == "style 'seaborn-whitegrid' used as 'seaborn-v0_8-whitegrid'"
    artifact = Path(store.client.download_artifacts(run["run_id"], "xp/verify.json"))
    assert {u["name"] for u in json.loads(artifact.read_text())["shims"]} == used
    # Without shims the notebook runs as written: the watermark extension is missing
    assert plain["state"] == "failed"
    assert "No module named 'watermark'" in plain["runs"][0]["error"]
    assert not plain["runs"][0]["shims"]


def test_older_matplotlib_scikit_learn_and_python_2_names_run_through_shims(
    store: Any, tmp_path: Path
) -> None:
    # Given: cells written for matplotlib 2, scikit-learn 1.0 and Python 2's builtins; the
    # one-vs-rest fit is checked against OneVsRestClassifier (the independent reference)
    notebook = _notebook(
        tmp_path / "older.ipynb",
        [
            _code("import matplotlib\nmatplotlib.use('Qt4Agg')\nprint('on')", 1, "on\n"),
            _code(
                "import matplotlib.pyplot as plt\nfrom matplotlib import cm\n"
                "counts, _, _ = plt.hist([1, 2, 2, 3], bins=3, normed=True)\n"
                "print(round(sum(counts * (2 / 3)), 6), cm.get_cmap('viridis').name)\n"
                "plt.close('all')",
                2,
                "1.0 viridis\n",
            ),
            _code(
                "import numpy as np\nfrom sklearn.datasets import load_iris\n"
                "from sklearn.cluster import AgglomerativeClustering\n"
                "from sklearn.linear_model import LogisticRegression\n"
                "from sklearn.multiclass import OneVsRestClassifier\n"
                "X, y = load_iris(return_X_y=True)\n"
                "from sklearn.ensemble import BaggingClassifier\n"
                "from sklearn.tree import DecisionTreeClassifier\n"
                "bag = BaggingClassifier(base_estimator=DecisionTreeClassifier(max_depth=1),\n"
                "                        n_estimators=3, random_state=0).fit(X, y)\n"
                "assert type(bag.estimators_[0]).__name__ == 'DecisionTreeClassifier'\n"
                "labels = AgglomerativeClustering(n_clusters=3, affinity='manhattan',\n"
                "                                 linkage='average').fit(X).labels_\n"
                "model = LogisticRegression(multi_class='ovr', max_iter=1000).fit(X, y)\n"
                "ovr = OneVsRestClassifier(LogisticRegression(max_iter=1000)).fit(X, y)\n"
                "print(len(set(labels)), np.allclose(model.predict_proba(X),\n"
                "      ovr.predict_proba(X), atol=1e-4))",
                3,
                "3 True\n",
            ),
            _code(
                "import json\nprint(list(xrange(3)), reload(json).__name__)", 4, "[0, 1, 2] json\n"
            ),
        ],
    )

    # When: it is promoted
    done = wait_job(store, jobs.create(store, from_notebook(notebook))["id"])

    # Then: every cell ran and reproduced, and each shim is named with what it did
    assert done["state"] == "finished", done["error"]
    check = done["runs"][0]["verification"]
    assert check["verdict"] == "exact", json.dumps(check["outputs"], indent=1)
    details = {u["name"]: u["detail"] for u in check["shims"]}
    assert details["matplotlib-removed-backend"].startswith("matplotlib.use('Qt4Agg') skipped")
    assert details["matplotlib-hist-normed"] == "hist(normed=True) as density="
    assert details["matplotlib-cm-get-cmap"] == "cm.get_cmap('viridis') as pyplot.get_cmap"
    (renamed,) = [u for u in check["shims"] if u["name"] == "sklearn-renamed-arguments"]
    assert renamed["uses"] == 2  # Bagging's base_estimator=, then Agglomerative's affinity=
    assert renamed["detail"] == (
        "BaggingClassifier(base_estimator=) as estimator=: scikit-learn 1.4 renamed it"
    )
    assert details["sklearn-liblinear-multiclass"].startswith(
        "LogisticRegression(multi_class='ovr'): scikit-learn 1.8 removed multi_class="
    )
    assert details["python2-builtins"] == "xrange() as range()"


def test_a_download_that_fails_reads_the_local_copy_of_the_same_name(
    store: Any, tmp_path: Path
) -> None:
    # Given: a notebook that reads its data from a URL (no network here) and fetches another
    # file with urlretrieve; the repository ships both under data/
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "iris.data").write_text("5.1,3.5,Iris-setosa\n4.9,3.0,Iris-setosa\n")
    (tmp_path / "data" / "gdp.csv").write_text("country,gdp\nx,1\n")
    notebook = _notebook(
        tmp_path / "download.ipynb",
        [
            _code(
                "import pandas as pd\n"
                "df = pd.read_csv('https://archive.invalid/ml/iris/iris.data', header=None)\n"
                "print(df.shape)",
                1,
                "(2, 3)\n",
            ),
            _code(
                "import urllib.request\n"
                "urllib.request.urlretrieve('https://data.invalid/gdp.csv', 'gdp-copy.csv')\n"
                "print(open('gdp-copy.csv').read().splitlines()[0])",
                2,
                "country,gdp\n",
            ),
            _code(
                "urllib.request.urlretrieve('https://data.invalid/gdp.csv', 'data/gdp.csv')\n"
                "print(open('data/gdp.csv').read().splitlines()[1])",
                3,
                "x,1\n",
            ),
        ],
    )

    # When: it is promoted
    done = wait_job(store, jobs.create(store, from_notebook(notebook))["id"])

    # Then: every download used the local copy (one saved over itself is left whole), and the
    # verdict says which file
    assert done["state"] == "finished", done["error"]
    check = done["runs"][0]["verification"]
    assert check["verdict"] == "exact", check["outputs"]["cells"]
    details = [u["detail"] for u in check["shims"] if u["name"] == "local-data-copy"]
    assert details == [
        "https://archive.invalid/ml/iris/iris.data unreachable: read iris.data",
        "https://data.invalid/gdp.csv unreachable: used gdp.csv",
        "https://data.invalid/gdp.csv unreachable: used gdp.csv",  # the file itself: kept
    ]


def test_plots_are_redrawn_at_the_stored_size_and_style_before_comparing(
    store: Any, tmp_path: Path
) -> None:
    # Given: plots stored by matplotlib 1.x's inline backend: 6x4 inches at 72 DPI, classic style
    stored = _png("classic", (6.0, 4.0), 72)
    source = "import matplotlib.pyplot as plt\nplt.plot([0, 1, 2, 3], [0, 1, 4, 9])\nplt.show()"
    notebook = _notebook(
        tmp_path / "plots.ipynb",
        [_image(source, 1, stored), _image(source, 2, stored)],
        python="2.7.12",
    )
    assert plotera.settings(json.loads(notebook.read_text())) == {
        "style": "classic",
        "figsize": [6.0, 4.0],
        "dpi": 72,
    }

    # When: promoted (without the shims: today's 6.4x4.8 at 100 DPI in the v2 style)
    done = wait_job(store, jobs.create(store, from_notebook(notebook))["id"])
    plain = wait_job(store, jobs.create(store, from_notebook(notebook), shims=False)["id"])

    # Then: the new figures are drawn as the stored ones were, and the verdict says so
    assert done["state"] == "finished", done["error"]
    check = done["runs"][0]["verification"]
    cells = check["outputs"]["cells"]
    assert all(c["class"] in ("identical", "same-values") for c in cells), cells
    redrawn = min(c.get("image_similarity", 1.0) for c in cells)
    today = plain["runs"][0]["verification"]["outputs"]["cells"]
    assert redrawn > max(c["image_similarity"] for c in today)
    (era,) = [u for u in check["shims"] if u["name"] == "plot-era"]
    assert era["detail"] == (
        "matplotlib 1.x 'classic' style, figures 6x4 in at 72 DPI, %matplotlib inline setting "
        "them again over a style, as it did (as the stored plots were drawn)"
    )


def test_a_style_chosen_before_matplotlib_inline_gives_way_to_the_old_inline_settings(
    store: Any, tmp_path: Path
) -> None:
    # Given: a notebook of the old inline backend's era that chose the classic style and then
    # ran %matplotlib inline, which set 6x4 inches at 72 DPI on white over the style's 8x6 at 80
    from jupyterlab_xp.promote.shims.matplotlib import OLD_INLINE_RC

    stored = _png("classic", (6.0, 4.0), 72, OLD_INLINE_RC)
    plot = "plt.plot([0, 1, 2, 3], [0, 1, 4, 9])\nplt.show()"
    notebook = _notebook(
        tmp_path / "classic.ipynb",
        [
            # (matplotlib imported first by another package's import: its 3d axes still load)
            _code("from mpl_toolkits import mplot3d", 1),
            _code("import matplotlib.pyplot as plt\nplt.style.use('classic')", 2),
            _code("%matplotlib inline", 3),
            _image(plot, 4, stored),
            _image(plot, 5, stored),
            _code("ax = plt.axes(projection='3d')\nplt.close()", 6),
        ],
        python="2.7.12",
    )

    # When: it is promoted
    done = wait_job(store, jobs.create(store, from_notebook(notebook))["id"])

    # Then: the figures are drawn at the stored size again (not 640x480), and the verdict says
    # the inline backend's settings were applied again
    assert done["state"] == "finished", done["error"]
    check = done["runs"][0]["verification"]
    cells = [c for c in check["outputs"]["cells"] if "image_similarity" in c or "new" in c]
    assert cells and all("432x288" in c.get("new", "432x288") for c in cells), cells
    assert all(c["class"] in ("identical", "same-values") for c in cells), cells
    (era,) = [u for u in check["shims"] if u["name"] == "plot-era"]
    assert "%matplotlib inline setting them again over a style" in era["detail"]


def test_plot_era_needs_evidence() -> None:
    # Given: today's plots (6.4x4.8 at 100 DPI, default style), and a notebook without images
    today = _png("default", (6.4, 4.8), 100)
    with_plots = {"cells": [_image("plt.plot()", 1, today), _image("plt.plot()", 2, today)]}
    for cell in with_plots["cells"]:
        cell["outputs"][0]["data"]["text/plain"] = "<Figure size 640x480 with 1 Axes>"
    # When / Then: nothing to change
    assert plotera.settings(with_plots) is None
    assert plotera.settings({"cells": [_code("print(1)", 1, "1\n")]}) is None


def test_the_shims_log_keeps_one_entry_per_shim_and_cell(tmp_path: Path) -> None:
    # Given: a log with repeated uses, a line that is not JSON and an unknown shim's name
    log = tmp_path / "shims.jsonl"
    lines = [
        {"name": "numpy-removed-aliases", "detail": "np.float as float", "cell": 4},
        {"name": "numpy-removed-aliases", "detail": "np.int as int", "cell": 4},
        {"name": "numpy-removed-aliases", "detail": "np.float as float", "cell": 7},
        {"name": "made-up", "detail": "x", "cell": 1},
    ]
    log.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    # When
    used = shims.read_log(log)
    # Then: two entries (cells 4 and 7), the first detail kept, uses counted
    assert [(u["cell"], u["uses"], u["detail"]) for u in used] == [
        (4, 2, "np.float as float"),
        (7, 1, "np.float as float"),
    ]
    assert used[0]["what"] == shims.WHAT["numpy-removed-aliases"]
    assert shims.read_log(tmp_path / "absent.jsonl") == []
