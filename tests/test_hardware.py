"""Hardware capture: the GPU path against a fake NVML, the real no-GPU path, torch unimported."""

from __future__ import annotations

import importlib
import importlib.machinery
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pynvml
import pytest

from fake_nvml import make_fake_nvml
from jupyterlab_xp.capture import hardware
from jupyterlab_xp.capture.hardware import (
    capture_hardware,
    open_nvml,
    torch_build_info,
    torch_version_file_builds,
    visible_nvml_indices,
)
from machine import nvml_gpu_count


def test_gpus_are_described_through_nvml() -> None:
    # Given an NVML that reports two GPUs
    nvml = make_fake_nvml()
    # When hardware is captured
    hw = capture_hardware(nvml)
    # Then each GPU has its name, memory, driver and CUDA version, and NVML was shut down
    assert [g["name"] for g in hw["gpus"]] == ["NVIDIA A100-SXM4-40GB"] * 2
    assert hw["gpus"][0] == {
        "index": 0,
        "name": "NVIDIA A100-SXM4-40GB",
        "uuid": "GPU-0000",
        "memory_total": 40 * 2**30,
        "driver_version": "550.54.15",
        "cuda_driver_version": "12.4",
    }
    assert hw["nvml_error"] is None
    assert nvml.state["init"] == nvml.state["shutdown"] == 1


def test_the_real_nvml_gives_this_machines_gpus_or_the_reason() -> None:
    # Given this machine's real NVML binding (no driver here; a GPU machine has some)
    expected = nvml_gpu_count()
    # When hardware is captured
    hw = capture_hardware(pynvml)
    # Then the GPUs are NVML's own count, or none with a one-line reason
    if expected is None:
        assert hw["gpus"] == []
        assert hw["nvml_error"] and "\n" not in hw["nvml_error"]
    else:
        assert len(hw["gpus"]) == expected
        assert hw["nvml_error"] is None
    # And CPU and memory are there either way
    assert hw["cpu"]["logical_cores"] >= 1
    assert hw["memory"]["total"] > 0


def test_sampler_reads_utilisation_and_stops_cleanly_when_a_gpu_is_lost() -> None:
    # Given an NVML session over two GPUs that fails after three reads
    nvml = make_fake_nvml(fail_after_samples=3)
    session = open_nvml(nvml)
    assert session is not None
    # When it is sampled three times
    first = session.sample()
    second = session.sample()
    # Then the readings come back, and once a GPU is lost sampling returns [] for good
    assert [(g["utilization_gpu"], g["memory_used"]) for g in first] == [
        (57, 3 * 2**30),
        (12, 1 * 2**30),
    ]
    assert second == []
    assert session.sample() == []
    session.close()
    assert nvml.state["shutdown"] == 1


def test_a_sampler_session_opens_only_with_gpus() -> None:
    # Given the real NVML: no session without a driver or GPUs, one with them
    session = open_nvml(pynvml)
    assert (session is not None) == bool(nvml_gpu_count())
    if session is not None:
        session.close()


def test_torch_build_is_found_through_the_file_list_when_not_beside_the_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a torch whose version.py is not where an ordinary install puts it (an editable
    # install), but its distribution's file list names it
    version_py = tmp_path / "src" / "torch" / "version.py"
    version_py.parent.mkdir(parents=True)
    version_py.write_text("cuda = '12.8'\nhip = None\n")

    class Listed:
        def __init__(self, name: str) -> None:
            self.name = name

        def __str__(self) -> str:
            return self.name

        def read_text(self) -> str:
            return version_py.read_text()

    class Editable:
        version = "2.99.0"
        files = (Listed("torch/__init__.py"), Listed("torch/version.py"))

        def locate_file(self, path: str) -> Path:
            return tmp_path / "site-packages" / path  # nothing there

    monkeypatch.setattr(hardware.metadata, "distribution", lambda name: Editable())
    # When its build is read
    info = torch_build_info()
    # Then the listed file gave it
    assert info == {"version": "2.99.0", "cuda_build": "12.8", "hip_build": None}


def test_torch_build_is_read_without_importing_torch() -> None:
    # Given a fresh interpreter
    code = (
        "import sys, json\n"
        "from jupyterlab_xp.capture.hardware import torch_build_info\n"
        "info = torch_build_info()\n"
        "print(json.dumps([info, 'torch' in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    info, imported = __import__("json").loads(out.stdout)
    # Then torch's version and CUDA build are known and torch was never imported
    assert info["version"].startswith("2.13.0")
    assert "cuda_build" in info  # None for this CPU build
    assert imported is False
    assert torch_build_info()["version"] == info["version"]


def test_torch_build_lines_of_cuda_rocm_and_cpu_builds_are_read() -> None:
    # Given torch/version.py texts as CUDA, ROCm and CPU wheels write them
    cuda = "__version__ = '2.13.0+cu128'\ncuda: Optional[str] = '12.8'\nhip: Optional[str] = None\n"
    rocm = 'cuda = None\nhip = "6.4.1"  # rocm\ngit_version = "cf30153"\n'
    # When they are read
    # Then each build is the literal on its line, and None where the wheel has none
    assert torch_version_file_builds(cuda) == {"cuda_build": "12.8", "hip_build": None}
    assert torch_version_file_builds(rocm) == {
        "cuda_build": None,
        "hip_build": "6.4.1",
        "git_version_build": "cf30153",
    }
    assert torch_version_file_builds("debug = False\n") == {}


def test_the_sampler_reads_only_the_gpus_cuda_visible_devices_leaves_the_run() -> None:
    # Given the fake NVML's two GPUs (GPU-0000 and GPU-0001)
    # When CUDA_VISIBLE_DEVICES names the second by index or UUID prefix, or none, or a bad list
    by_index = open_nvml(make_fake_nvml(), "1")
    by_uuid = open_nvml(make_fake_nvml(), "GPU-0001")
    # Then only that GPU is sampled, under its NVML index, with its memory-bandwidth use
    for session in (by_index, by_uuid):
        assert session is not None
        assert [
            (g["index"], g["utilization_gpu"], g["utilization_memory"]) for g in session.sample()
        ] == [(1, 12, 4)]
    assert open_nvml(make_fake_nvml(), "") is None and open_nvml(make_fake_nvml(), "-1") is None
    # And the list is read as CUDA reads it: in order, up to the first entry naming no device
    uuids = ["GPU-0000", "GPU-0001"]
    assert visible_nvml_indices("1,0", uuids) == [1, 0]
    assert visible_nvml_indices("0,7,1", uuids) == [0]
    assert visible_nvml_indices("GPU-0,1", uuids) == []  # a prefix matching both names neither
    assert visible_nvml_indices("MIG-abc", uuids) == []
    assert visible_nvml_indices("0,0", uuids) == [0]


def test_a_torch_still_being_imported_is_not_called_into(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a torch module whose import has not finished (the user's cell imports it while the
    # capture runs on its background thread): any use of it would be a call into half of it
    class Importing(types.ModuleType):
        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"torch.{name} used while torch is being imported")

    real_torch = importlib.import_module("torch")  # (2 s the first time in this process)
    torch = Importing("torch")
    torch.__spec__ = importlib.machinery.ModuleSpec("torch", None)
    torch.__spec__._initializing = True  # type: ignore[attr-defined]  # as importlib marks it
    monkeypatch.setitem(sys.modules, "torch", torch)
    # When the hardware is captured
    hw = capture_hardware()
    # Then torch's build is read from its files and its runtime is left out, not called
    assert hw["torch"]["version"].startswith("2.13.0") and "runtime" not in hw["torch"]
    # And once its import has finished, its runtime is captured
    monkeypatch.setitem(sys.modules, "torch", real_torch)
    assert capture_hardware()["torch"]["runtime"]["num_threads"] >= 1
