"""PyTorch build pins (+cu128, +rocm6.4, +cpu): the index that serves them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from jupyterlab_xp.frontends.render_env import render_environment
from jupyterlab_xp.promote import accelerator, bundle
from jupyterlab_xp.promote.source import Source


def test_cuda_rocm_and_cpu_builds_are_read_from_local_versions() -> None:
    # Given locks pinning PyTorch's CUDA, ROCm and CPU builds, and plain PyPI wheels
    cuda = accelerator.build_of(["numpy==2.1.0", "torch==2.8.0+cu128", "torchvision==0.23.0+cu128"])
    rocm = accelerator.build_of(["torch==2.8.0+rocm6.4"])
    cpu = accelerator.build_of(["torch==2.8.0+cpu"])
    # Then each names its build, its index and (for CUDA) that CUDA version's runtime image
    assert cuda == accelerator.Accelerator("cuda", "cu128", "12.8")
    assert cuda.index_url == "https://download.pytorch.org/whl/cu128"
    assert cuda.cuda_image == "nvidia/cuda:12.8.0-runtime-ubuntu22.04"
    assert accelerator.build_of(["torch==2.0.1+cu118"]).cuda_image == (  # type: ignore[union-attr]
        "nvidia/cuda:11.8.0-runtime-ubuntu22.04"
    )
    assert rocm == accelerator.Accelerator("rocm", "rocm6.4", "6.4") and rocm.cuda_image is None
    assert rocm.index_url == "https://download.pytorch.org/whl/rocm6.4"
    assert cpu is not None and cpu.index_url == "https://download.pytorch.org/whl/cpu"
    assert accelerator.build_of(["torch==2.8.0", "numpy==2.1.0"]) is None
    assert accelerator.index_options(["torch==2.8.0"]) == []


@pytest.mark.parametrize(
    "pins",
    [
        ["torch==2.8.0+cu128.evil.example"],  # more than a build tag
        ["torch==2.8.0+cu1280"],
        ["torch==2.8.0+rocm6.4.1.2"],
        ["torch==2.8.0+gpu"],
        ["jaxlib==0.4.30+cuda12"],  # not a package PyTorch's index builds
        ["torch==2.8.0+cu128", "torchvision==0.23.0+cu126"],  # two builds: not one lock
        ["torch==not-a-version+cu128"],
    ],
)
def test_a_lock_picks_only_a_build_tag_never_a_host(pins: list[str]) -> None:
    # Given lock pins (store content) whose local versions are not exactly one known build
    # Then no index is added and no CUDA image chosen
    assert accelerator.build_of(pins) is None
    assert accelerator.index_options(pins) == []


def _source(lock: str, python: str = "3.11.7") -> Source:
    return Source(name="train", version="v1", run_id="r" * 32, lock=lock, python=python)


def test_a_cuda_lock_gets_its_index_and_that_cudas_runtime_image() -> None:
    # Given a recorded run whose lock pins PyTorch's CUDA 12.8 build
    src = _source("# Exact packages\nnumpy==2.1.0\ntorch==2.8.0+cu128\n")
    # When its bundle's lock and Dockerfile are written
    lock = bundle.lock_text(src)
    dockerfile = bundle.dockerfile(src)
    # Then the lock reads that build's index (after its header, before its pins)
    lines = lock.splitlines()
    assert lines[1] == "--extra-index-url https://download.pytorch.org/whl/cu128"
    assert lines[2:] == ["numpy==2.1.0", "torch==2.8.0+cu128"]
    # ...and the image is CUDA 12.8's runtime with the recorded Python installed into it
    assert "FROM nvidia/cuda:12.8.0-runtime-ubuntu22.04\n" in dockerfile
    assert "RUN uv venv --seed --python 3.11.7 /opt/venv\n" in dockerfile
    assert f"COPY --from={bundle.UV_IMAGE} /uv /usr/local/bin/uv\n" in dockerfile
    assert dockerfile.index("uv venv") < dockerfile.index("RUN pip install -r requirements.lock")
    assert "python:" not in dockerfile


def test_a_cpu_or_plain_lock_keeps_the_slim_python_image() -> None:
    for lock in ("torch==2.8.0+cpu\n", "numpy==2.1.0\n"):
        dockerfile = bundle.dockerfile(_source(lock, python="3.12.1"))
        assert "FROM python:3.12.1-slim\n" in dockerfile and "nvidia" not in dockerfile
    assert bundle.lock_text(_source("numpy==2.1.0\n")).splitlines()[1:] == ["numpy==2.1.0"]


def _tiny_wheel(folder: Path, name: str, version: str) -> None:
    """A wheel with nothing but its metadata (pip needs no more to resolve it)."""
    info = f"{name}-{version}.dist-info"
    files = {
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{path},,\n" for path in files) + f"{info}/RECORD,,\n"
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / f"{name}-{version}-py3-none-any.whl", "w") as wheel:
        for path, text in files.items():
            wheel.writestr(path, text)


def test_pip_reads_the_bundle_lock_with_its_index_line(tmp_path: Path) -> None:
    # Given a bundle lock with PyTorch's index line, and a local folder holding that build
    lock = tmp_path / "requirements.lock"
    lock.write_text(bundle.lock_text(_source("torch==2.8.0+cpu\n")))
    _tiny_wheel(tmp_path / "wheels", "torch", "2.8.0+cpu")
    # When pip resolves the lock (no network: --no-index, the folder stands in for the index)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--find-links",
         str(tmp_path / "wheels"), "--no-deps", "-r", str(lock), "--disable-pip-version-check"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    # Then pip takes the index line as its option and would install exactly the pinned build
    assert done.returncode == 0, done.stderr
    assert "Would install torch-2.8.0+cpu" in done.stdout, done.stdout


def test_the_plan_names_pytorchs_index_before_anything_is_installed() -> None:
    planned = {
        "kind": "recorded",
        "pins": ["torch==2.8.0+cu128"],
        "hash": "a" * 64,
        "no_deps": True,
        "lock": {"pins": 40, "differed": 1, "python": "3.11.7"},
    }
    text = render_environment(planned)
    assert "PyTorch's cu128 build from https://download.pytorch.org/whl/cu128" in text
