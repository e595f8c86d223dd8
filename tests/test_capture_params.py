"""Parameters from a notebook's ``parameters`` cell, as papermill defines that cell."""

from __future__ import annotations

from pathlib import Path

from conftest import write_notebook
from jupyterlab_xp.capture.parameters import parameter_cell_sources, parameters_from_source


def test_parameters_cell_then_injected_cell_are_found(tmp_path: Path) -> None:
    # Given a notebook with a parameters cell and papermill's injected cell after it
    nb = write_notebook(
        tmp_path / "nb.ipynb",
        [
            {"source": "import os"},
            {"source": "lr = 0.1\nname = 'adam'", "tags": ["parameters"]},
            {"source": "lr = 0.5", "tags": ["injected-parameters"]},
        ],
    )
    # When its parameter cells are read
    sources = parameter_cell_sources(nb)
    # Then they come in papermill's order: defaults first, injected values last
    assert sources == ["lr = 0.1\nname = 'adam'", "lr = 0.5"]


def test_values_come_from_the_namespace_when_literal_else_from_the_source() -> None:
    # Given a parameters cell, and a namespace where it ran with other values
    source = "lr = 0.1\nlayers: int = 3\nbatch = 2 ** 5\nmodel = make()\nname = 'x'"
    namespace = {"lr": 0.25, "layers": 3, "batch": 32, "model": object()}
    # When its parameters are extracted
    values = parameters_from_source(source, namespace)
    # Then live literal values win, literals in the cell fill the rest, the rest is skipped
    assert values == {"lr": 0.25, "layers": 3, "batch": 32, "name": "x"}


def test_broken_or_missing_notebooks_give_no_parameters(tmp_path: Path) -> None:
    # Given a notebook file that is not JSON, and cell source that is not Python
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json")
    # Then nothing is found and nothing raises
    assert parameter_cell_sources(broken) == []
    assert parameter_cell_sources(tmp_path / "missing.ipynb") == []
    assert parameters_from_source("lr = = 1", {}) == {}
