"""MLflow's usage telemetry is off in every process jupyterlab-xp starts unless the user opts in
(``XP_TELEMETRY=on``): the switch, a real kernel, and a promotion's job and kernel started by the
command line, each asked what it was given."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import write_notebook
from jupyterlab_xp.core.telemetry import apply_telemetry_choice, telemetry_allowed

pytestmark = pytest.mark.kernel

ASK = "import os\nprint(os.environ.get('MLFLOW_DISABLE_TELEMETRY', 'unset'))"


@pytest.mark.parametrize(
    "given,expected",
    [
        ({}, "true"),
        ({"XP_TELEMETRY": "off"}, "true"),
        ({"XP_TELEMETRY": "of"}, "true"),  # a typo keeps it off
        ({"XP_TELEMETRY": "on"}, None),  # MLflow decides for itself
        ({"XP_TELEMETRY": "ON "}, None),
        ({"MLFLOW_DISABLE_TELEMETRY": "false"}, "false"),  # MLflow's own switch, set by the user
    ],
)
def test_the_switch_turns_mlflow_telemetry_off_unless_opted_in(
    given: dict[str, str], expected: str | None
) -> None:
    # Given an environment
    env = dict(given)
    # When the choice is applied
    apply_telemetry_choice(env)
    # Then MLflow's switch says off, except after an opt-in or the user's own setting
    assert env.get("MLFLOW_DISABLE_TELEMETRY") == expected
    assert telemetry_allowed(env) == (given.get("XP_TELEMETRY", "").strip().lower() == "on")


def test_a_kernel_that_loads_the_extension_turns_it_off(kernel_factory: Any) -> None:
    # Given kernels started without MLflow's switch (the fixture drops MLFLOW_* variables),
    # one of them opted in
    quiet = kernel_factory()
    opted_in = kernel_factory(extra_env={"XP_TELEMETRY": "on"})
    for kernel in (quiet, opted_in):
        # When the extension is loaded
        assert kernel.execute("%load_ext jupyterlab_xp")["status"] == "ok"
    # Then the kernel's environment (and what it starts) has telemetry off, unless opted in
    assert quiet.execute(ASK)["stdout"].strip() == "true"
    assert opted_in.execute(ASK)["stdout"].strip() == "unset"


def test_a_promotion_started_from_the_command_line_runs_its_kernel_with_it_off(
    store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # Given a notebook that writes down what its kernel was given, and a shell without the switch
    seen = tmp_path / "seen.txt"
    notebook = write_notebook(
        tmp_path / "ask.ipynb",
        [
            {
                "source": f"{ASK.splitlines()[0]}\nopen({str(seen)!r}, 'w').write("
                "os.environ.get('MLFLOW_DISABLE_TELEMETRY', 'unset'))"
            }
        ],
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "XP_", "DO_NOT"))}
    env["XP_HOME"] = str(xp_home)
    # When `jupyter xp promote` runs it (the CLI, then its job process, then papermill's kernel)
    ran = subprocess.run(
        [sys.executable, "-m", "jupyterlab_xp", "promote", str(notebook), "--order", "notebook"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # Then the promoted notebook's kernel had telemetry off
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert seen.read_text() == "true"
