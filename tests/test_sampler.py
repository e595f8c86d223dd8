"""The system sampler: CPU, memory and (through NVML) GPU metrics, averaged per report."""

from __future__ import annotations

import threading
from typing import Any

from fake_nvml import make_fake_nvml
from jupyterlab_xp.kernel.sampler import SystemSampler


# README: "sampled every second, averaged over 10 s"
def test_reports_cpu_memory_and_gpu_averages() -> None:
    # Given a fast sampler over a fake NVML with two GPUs
    reports: list[tuple[dict[str, float], int]] = []
    done = threading.Event()

    def report(metrics: dict[str, float], step: int) -> None:
        reports.append((metrics, step))
        if len(reports) == 2:
            done.set()

    nvml = make_fake_nvml()
    sampler = SystemSampler(report, interval=0.01, report_every=3, nvml=nvml)
    # When it runs for two reports
    sampler.start()
    assert done.wait(10)
    sampler.stop()
    # Then each report averages CPU, memory and each GPU, with increasing steps
    metrics, step = reports[0]
    assert step == 0 and reports[1][1] == 1
    assert metrics["system/rss_mb"] > 0
    assert metrics["system/gpu0_utilization_percent"] == 57
    assert metrics["system/gpu1_memory_used_mb"] == 1024
    assert "system/cpu_percent" in metrics
    assert sampler.peak_mb >= metrics["system/rss_mb"] * 0.5


# docs/design.md: "the user's kernel (it keeps working whatever the recorder hits)"
def test_a_broken_nvml_never_reaches_the_kernel() -> None:
    # Given an NVML that fails after a few reads
    reports: list[dict[str, Any]] = []
    done = threading.Event()

    def report(metrics: dict[str, float], step: int) -> None:
        reports.append(metrics)
        if len(reports) == 3:
            done.set()

    sampler = SystemSampler(
        report, interval=0.01, report_every=2, nvml=make_fake_nvml(fail_after_samples=2)
    )
    # When it keeps sampling after the GPU is lost
    sampler.start()
    assert done.wait(10)
    sampler.stop()
    # Then CPU and memory go on being reported, without the GPU
    assert "system/gpu0_utilization_percent" in reports[0]
    assert "system/gpu0_utilization_percent" not in reports[-1]
    assert reports[-1]["system/rss_mb"] > 0
