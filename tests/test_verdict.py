"""Where a cell's time went: the kernel's loader and busy clocks, each cell's verdict, the run's.

The real-kernel test makes one cell data-bound (a Dataset that sleeps 50 ms per item), one
compute-bound (a matrix product loop) and one idle (a sleep), with margins wide enough for a
loaded machine: the loader cell waits on its loader nearly all the time and the others never
touch one, and a thread that computes is busy (on a CPU or queued for one) however loaded the
machine is, while a sleeping one is not.
"""

from __future__ import annotations

import json
import os
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from fake_nvml import make_fake_nvml
from jupyterlab_xp.frontends.cli import main
from jupyterlab_xp.journal.jsonl import read_journal
from jupyterlab_xp.journal.summary import CELL_READINGS_FILE, add_cell_readings
from jupyterlab_xp.kernel.sampler import SystemSampler
from jupyterlab_xp.views.verdict import cell_verdict, run_verdict, timeline_verdict, with_verdicts
from machine import nvml_gpu_count

IMPORTS = """
import time
import torch
from torch.utils.data import DataLoader, Dataset
"""

DATA_BOUND_CELL = """
class Slow(Dataset):
    def __len__(self):
        return 40

    def __getitem__(self, i):
        time.sleep(0.05)  # a slow disk or decoder
        return torch.tensor([float(i)])

total = 0.0
for batch in DataLoader(Slow(), batch_size=4):
    total += float(batch.sum())  # the training step: next to nothing
"""

COMPUTE_BOUND_CELL = """
a = torch.randn(200, 200)
end = time.perf_counter() + 2.0
while time.perf_counter() < end:
    a = torch.tanh(a @ a)
"""

IDLE_CELL = "time.sleep(1.5)"

# The fake NVML as the module ``pynvml`` for a kernel and the sync process it starts
FAKE_PYNVML = """
import sys
from fake_nvml import make_fake_nvml
sys.modules[__name__] = make_fake_nvml()
"""
GPU_CELL = "import time\ntime.sleep(4)"


def _judged(cell: dict[str, Any], *args: Any) -> dict[str, Any]:
    verdict = cell_verdict(cell, *args)
    assert verdict is not None, cell
    return verdict


def _ok(kernel: Any, code: str) -> None:
    out = kernel.execute(textwrap.dedent(code))
    assert out["status"] == "ok", out


@pytest.mark.kernel
def test_a_slow_loader_cell_is_data_bound_and_a_matrix_loop_compute_bound(
    kernel_factory: Any, store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a recorded kernel running a loader cell, a compute cell and a sleeping cell
    k = kernel_factory()
    _ok(k, "%load_ext jupyterlab_xp\n%xp start where-time-went --seed 3")
    _ok(k, IMPORTS)  # (its own cell: importing torch takes seconds of CPU)
    _ok(k, DATA_BOUND_CELL)
    _ok(k, COMPUTE_BOUND_CELL)
    _ok(k, IDLE_CELL)
    _ok(k, "%xp stop")
    run = next(r for r in store.search_runs() if r.info.run_name == "where-time-went")
    run_id = run.info.run_id
    # When its cells.jsonl is read and the run is shown
    text = store.artifacts.read_text(run_id, "xp/cells.jsonl")
    cells = {c["source"].strip(): c for c in map(json.loads, text.splitlines())}
    assert main(["show", run_id]) == 0
    shown = capsys.readouterr().out
    # Then the loader cell's wait is recorded: 40 items of 50 ms at least, most of the cell
    loader = cells[DATA_BOUND_CELL.strip()]
    assert loader["loader_wait"] >= 2.0
    assert loader["loader_wait"] <= loader["duration"]
    compute = cells[COMPUTE_BOUND_CELL.strip()]
    idle = cells[IDLE_CELL]
    assert compute["loader_wait"] == 0.0 and idle["loader_wait"] == 0.0
    # And each cell is classified as what made it slow
    assert _judged(loader)["verdict"] == "data-bound"
    assert _judged(compute)["verdict"] == "compute-bound"
    assert _judged(idle)["verdict"] == "idle"
    # And `jupyter xp show` says so, with the figure that decided each
    section = shown[shown.index("where time went") :]
    assert "waited on the data loader" in section
    assert "CPU busy" in section
    line = next(ln for ln in section.splitlines() if "data-bound" in ln and "#" in ln)
    assert f"#{loader['seq']}" in line


def test_the_verdict_follows_the_readings_in_order() -> None:
    # Given cells of 10 s with the readings each verdict is decided by
    base = {"duration": 10.0, "peak_rss_mb": 100.0, "loader_wait": 0.0, "busy": 0.5}
    data = {**base, "loader_wait": 6.2, "busy": 9.0}
    swapping = {**base, "peak_rss_mb": 950.0}
    busy = {**base, "busy": 9.7}
    # When they are judged (a machine of 1000 MiB; GPU readings for two)
    # Then the loader comes first, then memory, then compute; else idle, with the figure
    assert cell_verdict(data, 1000.0) == {
        "verdict": "data-bound",
        "because": "waited on the data loader 62 % of the cell",
        "seconds": 10.0,
    }
    assert _judged(swapping, 1000.0)["because"] == "peak memory 95 % of the machine's"
    assert _judged(busy, 1000.0)["because"] == "CPU busy 97 % of the cell"
    gpu = cell_verdict({**base, "gpu_utilization_percent": 88.0, "gpu_memory_share": 0.2}, 1000.0)
    assert gpu == {
        "verdict": "compute-bound",
        "because": "GPU busy 88 % of the cell",
        "seconds": 10.0,
    }
    full = _judged({**base, "gpu_utilization_percent": 88.0, "gpu_memory_share": 0.97}, 1000.0)
    assert full["verdict"] == "memory-bound"
    # A busy GPU whose memory is read or written most of the cell waits on its bandwidth
    on_gpu = {**base, "gpu_utilization_percent": 97.0, "gpu_memory_share": 0.3}
    bandwidth = _judged({**on_gpu, "gpu_memory_busy_percent": 81.0}, 1000.0)
    assert bandwidth == {
        "verdict": "memory-bound",
        "because": "GPU memory bandwidth in use 81 % of the cell",
        "seconds": 10.0,
    }
    assert _judged({**on_gpu, "gpu_memory_busy_percent": 45.0})["verdict"] == "compute-bound"
    # A data-bound cell on a GPU says how long the GPU waited with it
    starved = _judged({**data, "gpu_utilization_percent": 38.0, "gpu_memory_busy_percent": 9.0})
    assert starved["because"] == "waited on the data loader 62 % of the cell, GPU idle 62 %"
    # A machine that swaps is memory-bound before its busy CPU counts (a CPU-only machine too)
    paging = _judged({**busy, "swap_in_mb_per_s": 42.4}, 1000.0)
    assert paging == {"verdict": "memory-bound", "because": "swapped in 42 MiB/s", "seconds": 10.0}
    assert _judged({**busy, "swap_in_mb_per_s": 0.3}, 1000.0)["verdict"] == "compute-bound"
    assert _judged(base)["because"] == "CPU busy only 5 % of the cell, no loader wait"


def test_short_old_or_hostile_cells_get_no_verdict_and_the_run_takes_most_time() -> None:
    # Given a short cell, one recorded before the readings, and one with junk readings
    short = {"duration": 0.2, "loader_wait": 0.2, "busy": 0.0}
    old = {"duration": 30.0, "peak_rss_mb": 10.0}
    junk = {"duration": "long", "loader_wait": "x"}
    # When they are judged
    # Then none has a verdict
    assert cell_verdict(short) is None and cell_verdict(old) is None
    assert cell_verdict(junk) is None
    # And a run's verdict is the one holding most of its judged time (7 s of 10 here)
    judged = [
        cell_verdict({"duration": 3.0, "loader_wait": 3.0, "busy": 0.0}),
        cell_verdict({"duration": 7.0, "loader_wait": 0.0, "busy": 7.0}),
        None,
    ]
    overall = run_verdict(judged)
    assert overall is not None
    assert overall["verdict"] == "compute-bound"
    assert overall["share"] == pytest.approx(0.7)
    assert run_verdict([None]) is None


def test_a_cells_gpu_readings_come_from_the_sampler_and_reach_its_entry(tmp_path: Any) -> None:
    # Given the sampler over a fake NVML (GPU 0: 57 % busy, 3 of 40 GiB; GPU 1: 12 %, 1 GiB)
    sampler = SystemSampler(lambda metrics, step: None, interval=0.01, nvml=make_fake_nvml())
    start = time.time()
    sampler.start()
    deadline = time.monotonic() + 30
    while not sampler.cell_readings(start, time.time()) and time.monotonic() < deadline:
        time.sleep(0.05)
    end = time.time()
    sampler.stop()
    # When a cell's readings are taken over its time, and a window without samples
    readings = sampler.cell_readings(start, end)
    before = sampler.cell_readings(start - 60, start - 30)
    # Then they are the busiest GPU's utilisation and memory-bandwidth use, the fullest one's
    # memory share, and the machine's swap-in rate (this machine swaps nothing in a test)
    gpu = {k: v for k, v in readings.items() if k.startswith("gpu_")}
    assert gpu == {
        "gpu_utilization_percent": 57.0,
        "gpu_memory_share": 0.075,
        "gpu_memory_busy_percent": 31.0,
    }
    assert set(readings) - set(gpu) <= {"swap_in_mb_per_s"}
    assert before == {}
    # And the sync process's readings file adds them to that cell's entry (a torn line skipped)
    (tmp_path / CELL_READINGS_FILE).write_text(
        json.dumps({"cell": 2, **readings}) + "\n" + '{"cell": 1, "gpu_util'
    )
    cells = [{"seq": 1, "duration": 4.0}, {"seq": 2, "duration": 4.0, "busy": 0.1}]
    add_cell_readings(cells, tmp_path)
    assert "gpu_utilization_percent" not in cells[0]
    assert cells[1]["gpu_memory_share"] == 0.075
    # And the cell is compute-bound on its GPU while its CPU thread is nearly idle
    assert _judged(cells[1])["because"] == "GPU busy 57 % of the cell"


@pytest.mark.kernel
def test_a_cell_on_a_busy_gpu_is_compute_bound_through_the_sync_process(
    kernel_factory: Any, store: Any, tmp_path: Path
) -> None:
    # Given a kernel whose pynvml is the fake (GPU 0 57 % busy, 3 of 40 GiB in use)
    shim = tmp_path / "fake-pynvml"
    shim.mkdir()
    (shim / "pynvml.py").write_text(FAKE_PYNVML)
    path = [str(shim), str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]
    k = kernel_factory(extra_env={"PYTHONPATH": os.pathsep.join(p for p in path if p)})
    # When a cell that waits on nothing the kernel sees runs for 4 s in a recorded run
    _ok(k, "%load_ext jupyterlab_xp\n%xp start gpu-cell --seed 1")
    # (once the run exists, so its sync process and sampler are up: under load their start
    # can take longer than the cell, and a cell before the first sample has no readings)
    _ok(k, "import jupyterlab_xp as xp\nassert xp.active_run().run_id is not None")
    _ok(k, GPU_CELL)
    _ok(k, "%xp stop")
    run = next(r for r in store.search_runs() if r.info.run_name == "gpu-cell")
    text = store.artifacts.read_text(run.info.run_id, "xp/cells.jsonl")
    cells = {c["source"]: c for c in map(json.loads, text.splitlines())}
    # Then the sync process's sampler readings over the cell reached its entry
    cell = cells[GPU_CELL]
    assert cell["gpu_utilization_percent"] == 57.0
    assert cell["gpu_memory_share"] == 0.075
    assert cell["gpu_memory_busy_percent"] == 31.0
    # And the cell is compute-bound on its GPU, its CPU thread idle
    assert cell["busy"] < 0.5 * cell["duration"]
    assert _judged(cell)["because"] == "GPU busy 57 % of the cell"


def test_the_run_detail_judges_each_cell_and_the_run_from_the_same_rules() -> None:
    # Given a journal of a data-bound cell, a compute-bound one, a short one and a hostile one,
    # on a machine of 1000 MiB (hardware.json)
    base = {"peak_rss_mb": 100.0, "loader_wait": 0.0, "busy": 0.1}
    cells = [
        {**base, "seq": 1, "duration": 10.0, "loader_wait": 6.2},
        {**base, "seq": 2, "duration": 4.0, "busy": 3.9},
        {**base, "seq": 3, "duration": 0.2},
        {**base, "seq": 4, "duration": "ten", "busy": None},
    ]
    hardware = {"memory": {"total": 1000 * 2**20}}
    # When the run detail's timeline is made from them
    judged = with_verdicts(cells, hardware)
    overall = timeline_verdict(judged)
    # Then each cell carries its verdict and figure (None when not judged), as show prints them
    assert [(c["seq"], c["verdict"]) for c in judged] == [
        (1, "data-bound"),
        (2, "compute-bound"),
        (3, None),
        (4, None),
    ]
    assert judged[0]["verdict_because"] == "waited on the data loader 62 % of the cell"
    assert judged[2]["verdict_because"] is None
    # And the run's verdict is the one of most of the judged time: 10 s of 14
    assert overall == {
        "verdict": "data-bound",
        "share": 10.0 / 14.0,
        "seconds": {"data-bound": 10.0, "compute-bound": 4.0},
    }
    assert timeline_verdict(with_verdicts(cells[2:], None)) is None


def test_a_cells_swap_in_rate_is_the_counters_change_around_it() -> None:
    # Given the sampler's swap-in counts (bytes since boot) a second apart around a 3 s cell
    sampler = SystemSampler(lambda metrics, step: None, interval=1.0)
    for t, swapped in [(99.0, 0.0), (100.5, 10 * 2**20), (101.5, 40 * 2**20), (103.5, 100 * 2**20)]:
        sampler._swap.append((t, swapped))
    # When the cell from 100 s to 103.2 s is read, and one with a single count in it
    readings = sampler.cell_readings(100.0, 103.2)
    alone = sampler.cell_readings(103.4, 103.6)
    # Then the rate is from the count just before the cell to the last one in it: 40 MiB in 2.5 s
    assert readings == {"swap_in_mb_per_s": 16.0}
    assert alone == {}


REAL_GPU_CELL = """
import time, torch
a = torch.randn(4096, 4096, device="cuda")
end = time.perf_counter() + 5.0
while time.perf_counter() < end:
    a = torch.tanh(a @ a)
    torch.cuda.synchronize()
"""


def _real_cuda() -> bool:
    if not nvml_gpu_count():
        return False
    import torch

    return bool(torch.cuda.is_available())


@pytest.mark.kernel
@pytest.mark.skipif(not _real_cuda(), reason="needs a real CUDA GPU (the fake NVML tests cover it)")
def test_a_cell_on_a_real_gpu_is_judged_by_its_gpu(kernel_factory: Any, store: Any) -> None:
    # Given a recorded kernel on a machine with a real GPU
    k = kernel_factory()
    _ok(k, "%load_ext jupyterlab_xp\n%xp start real-gpu --seed 1")
    _ok(k, "import torch\ntorch.zeros(1, device='cuda')")  # CUDA's start in its own cell
    # When a cell multiplies matrices on it for 5 s
    _ok(k, REAL_GPU_CELL)
    _ok(k, "%xp stop")
    run = next(r for r in store.search_runs() if r.info.run_name == "real-gpu")
    text = store.artifacts.read_text(run.info.run_id, "xp/cells.jsonl")
    cell = next(c for c in map(json.loads, text.splitlines()) if "randn(4096" in c["source"])
    # Then the sampler read the GPU over the cell, and the verdict comes from the GPU's figures
    assert cell["gpu_utilization_percent"] >= 50.0, cell
    verdict = _judged(cell)
    assert verdict["verdict"] in ("compute-bound", "memory-bound"), verdict
    assert verdict["because"].startswith("GPU"), verdict


def test_only_a_cell_long_enough_for_a_verdict_reads_the_busy_clock_at_its_end(
    xp_home: Path,
) -> None:
    from types import SimpleNamespace

    from jupyterlab_xp.kernel.recorder import get_recorder
    from jupyterlab_xp.kernel.run import BUSY_READ_SECONDS

    # Given a run recording in this process, and a short cell then one longer than the bound
    recorder = get_recorder()
    run = recorder.start("busy-reads", seed=1)
    result = SimpleNamespace(execution_count=None, error_before_exec=None, error_in_exec=None)
    for pause in (0.0, BUSY_READ_SECONDS + 0.1):
        recorder.pre_run_cell(SimpleNamespace(raw_cell=f"sleep({pause})", cell_id=None))
        time.sleep(pause)
        recorder.post_run_cell(result)
    recorder.stop()
    # Then the short cell has no busy time (no verdict judges it; the read of /proc would let
    # the kernel's other threads take the GIL in a burst of cells) and the long one has it
    short, long_ = [r for r in read_journal(run.journal.path) if r["type"] == "cell_end"]
    assert "busy" not in short
    assert long_["busy"] >= 0.0
    # And both have their peak memory
    assert short["peak_rss_mb"] > 0 and long_["peak_rss_mb"] > 0
