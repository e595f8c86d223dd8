"""Jupyter server configuration for the jupyterlab-xp browser tests.

Galata's settings (port 8888, no token, a temporary root folder), plus a fresh xp home so the
tests never read or write a user's run store. Jupyter's config loader provides ``c``.
"""

import os
import tempfile

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)
# Build machines and CI run as root.
c.ServerApp.allow_root = True

# The panel benchmark (benchmarks/bench_panel.py) brings a store of 10,000 runs.
os.environ["XP_HOME"] = os.environ.get("XP_BENCH_HOME") or tempfile.mkdtemp(prefix="xp-ui-tests-")
# An inherited tracking URI would point the panel at a real MLflow server; only the team
# benchmark (benchmarks/bench_team.py) asks for one, by this variable.
os.environ.pop("MLFLOW_TRACKING_URI", None)
if os.environ.get("XP_BENCH_TRACKING_URI"):
    os.environ["MLFLOW_TRACKING_URI"] = os.environ["XP_BENCH_TRACKING_URI"]

# The browser tests' reporter (failure-summary.js) ends a failed run with the server's
# warnings and errors, which a CI log's tail would otherwise have lost among the test output.
if os.environ.get("XP_UI_SERVER_LOG"):
    c.ServerApp.logging_config = {
        "handlers": {
            "xp_file": {
                "class": "logging.FileHandler",
                "level": "WARNING",
                "filename": os.environ["XP_UI_SERVER_LOG"],
                "formatter": "console",
            }
        },
        "loggers": {"ServerApp": {"handlers": ["console", "xp_file"]}},
    }
