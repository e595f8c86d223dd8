"""Sphinx configuration of the jupyterlab-xp docs site (``make docs``).

Before Sphinx reads a page, this file generates what is generated: the tutorials (the example
notebooks, executed by papermill with the same parameters tests/test_examples.py uses, into a
private XP_HOME: a failing example fails the build), the REST reference (an OpenAPI document
from the route table and the pydantic models), and the magic's usage (from its parsers).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

SITE = Path(__file__).resolve().parent
ROOT = SITE.parent.parent
sys.path[:0] = [str(ROOT / "python"), str(ROOT / "tests"), str(SITE)]

import generate  # noqa: E402  (docs/site/generate.py, found through the path above)

project = "jupyterlab-xp"
author = "the jupyterlab-xp authors"
copyright = "the jupyterlab-xp authors"
extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinxarg.ext",
]
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
# The notebooks are executed below by papermill (with the examples' test parameters); myst-nb
# renders what they printed.
nb_execution_mode = "off"
# _generated/ holds pages that other pages include.
exclude_patterns = ["_build", "_generated", "jupyter_execute", "**.ipynb_checkpoints"]
html_theme = "alabaster"
html_title = "jupyterlab-xp"
autodoc_typehints = "description"
autodoc_member_order = "bysource"

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
generate.rest_reference(SITE / "_generated")
generate.magics_reference(SITE / "_generated")
if os.environ.get("XP_DOCS_EXECUTE", "1") != "0":  # 0: reuse the notebooks executed last time
    with tempfile.TemporaryDirectory(prefix="xp-docs-") as home:
        generate.tutorials(ROOT / "examples", SITE / "tutorials", Path(home))
