"""What a fresh process imports: the package, the kernel's extension, the promotion job.

Each test runs a new interpreter, since this one has imported everything already. The costs
these keep away are measured in docs/site/explanation/public-notebooks.md (promote's time
over papermill's).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pydantic", "mlflow", "jupyterlab_xp.store.boundary", "jupyterlab_xp.capture.provenance")


def _imported_after(code: str, names: tuple[str, ...]) -> list[str]:
    """Which of ``names`` a new interpreter has imported after running ``code``."""
    found = f"[n for n in {names!r} if n in sys.modules]"
    probe = f"{code}\nimport json, sys\nprint(json.dumps({found}))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout.splitlines()[-1]))


def test_the_package_imports_the_kernels_api_on_first_use() -> None:
    # Given a new interpreter that imports the package (as the command line, a promotion's job
    # and the shims cell of a promoted kernel do)
    api = ("jupyterlab_xp.kernel.api", "jupyterlab_xp.kernel.recorder")
    # Then the kernel's API is not imported yet
    assert _imported_after("import jupyterlab_xp", api) == []
    # And the first use of one of its names imports it, as `from ... import` does
    used = "import jupyterlab_xp as xp\nassert callable(xp.start) and 'stop' in dir(xp)"
    assert _imported_after(used, api) == list(api)
    assert _imported_after("from jupyterlab_xp import seed_everything, TrialPruned", api) == list(
        api
    )


def test_an_unknown_name_of_the_package_is_an_attribute_error() -> None:
    # Given the package
    import jupyterlab_xp

    # When a name it does not have is asked for, then it is an AttributeError as usual
    with pytest.raises(AttributeError, match="no_such_name"):
        jupyterlab_xp.no_such_name  # noqa: B018


def test_the_kernels_extension_imports_no_parsing_boundary_and_no_mlflow() -> None:
    # Given a new interpreter that loads what `%load_ext jupyterlab_xp` loads
    # Then neither pydantic (the store's parsing boundary) nor MLflow nor the provenance
    # capture is imported: the kernel only journals, its sync process reads the store
    assert _imported_after("import jupyterlab_xp.kernel.extension", HEAVY) == []


def test_the_promotion_job_imports_mlflow_only_when_it_opens_the_store() -> None:
    # Given a new interpreter that imports the promotion job's module
    # Then MLflow is not imported yet (the job imports it on a thread while the kernel runs),
    # nor the parsing boundary, which only a recorded run's source reads through
    assert _imported_after("import jupyterlab_xp.promote.job", ("mlflow", "pydantic")) == []
