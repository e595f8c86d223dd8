"""Process facts through psutil: memory, start time, and telling a recycled pid apart."""

from __future__ import annotations

import os
import resource
import subprocess
import sys

import pytest

from jupyterlab_xp.core import process


def test_memory_figures_are_this_process() -> None:
    # psutil's figure agrees with the kernel's own accounting (/proc here, task_info on macOS)
    with open("/proc/self/statm", "rb") as handle:
        statm_mb = int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    assert process.rss_mb() == pytest.approx(statm_mb, rel=0.2)
    assert process.maxrss_mb() >= process.rss_mb() * 0.5 > 0


def test_peak_memory_units_follow_the_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    # getrusage reports KiB on Linux and bytes on macOS
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    monkeypatch.setattr(sys, "platform", "darwin")
    as_mac = process.maxrss_mb()
    monkeypatch.setattr(sys, "platform", "linux")
    assert process.maxrss_mb() == pytest.approx(peak / 1024, rel=0.05)
    assert as_mac == pytest.approx(peak / 2**20, rel=0.05)


def test_a_start_time_tells_a_process_apart() -> None:
    # Given this process and a child that has exited
    mine = process.process_start_time()
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child_start = process.process_start_time(child.pid)
    child.wait()
    # Then this process is itself, and the exited child's pid is no longer that process
    assert mine and process.same_process(os.getpid(), mine)
    assert not process.same_process(os.getpid(), "12.5")
    assert child_start and child_start != mine
    assert not process.same_process(child.pid, child_start)
    assert process.process_start_time(child.pid) == ""
