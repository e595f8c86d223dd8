"""torch is an extra (``jupyterlab-xp[torch]``): a script records without it, and the one call
that cannot work without it says what to install. torch is made unimportable the way Python
documents (``sys.modules["torch"] = None``), so its absence is real to every import below."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

import jupyterlab_xp as xp


def test_a_run_records_without_torch_and_device_names_the_extra(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a process in which torch cannot be imported
    monkeypatch.setitem(sys.modules, "torch", None)
    # When a run is started, logs and stops, and then asks for a device
    with xp.start("no-torch", seed=3) as run:
        xp.log({"val/loss": 0.5}, step=1)
        with pytest.raises(xp.XpError) as refused:
            xp.device()
    # Then the run is complete, seeded without torch, and the device call is one clear line
    recorded = store.get_run(run.run_id)
    assert recorded.info.status == "FINISHED"
    assert recorded.data.metrics["val/loss"] == 0.5
    seeds = json.loads(store.artifacts.read_text(run.run_id, "xp/seeds.json"))
    assert seeds["libraries"]["numpy"] == "seeded"
    assert seeds["libraries"].get("torch") != "seeded"  # waits for an import that never comes
    assert str(refused.value) == "xp.device() needs torch: pip install 'jupyterlab-xp[torch]'"
