"""MLflow's usage telemetry: off in every process jupyterlab-xp starts, unless the user opts in.

MLflow 3.17 reports usage to its maintainers by default. A tool that records people's
experiments does not let that happen behind their back: ``XP_TELEMETRY=on`` is the one switch
that lets MLflow decide for itself; otherwise ``MLFLOW_DISABLE_TELEMETRY=true`` is set in the
process's environment before MLflow is imported, so that every child (kernels, promotion jobs,
sweep workers, the papermill kernels they start) inherits it.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

SWITCH = "XP_TELEMETRY"
MLFLOW_SWITCH = "MLFLOW_DISABLE_TELEMETRY"
# Anything else (unset, "off", a typo) keeps telemetry off: the safe reading of a privacy switch.
_ON = frozenset({"on", "true", "1", "yes"})


def telemetry_allowed(environ: MutableMapping[str, str] | None = None) -> bool:
    """True when the user opted in with ``XP_TELEMETRY=on``."""
    env = os.environ if environ is None else environ
    return env.get(SWITCH, "").strip().lower() in _ON


def apply_telemetry_choice(environ: MutableMapping[str, str] | None = None) -> None:
    """Turn MLflow's telemetry off in ``environ`` (default: this process's) unless opted in.

    An ``MLFLOW_DISABLE_TELEMETRY`` the user set is left as it is: MLflow's own switch wins.
    """
    env = os.environ if environ is None else environ
    if not telemetry_allowed(env):
        env.setdefault(MLFLOW_SWITCH, "true")
