"""The NVML/psutil sampler's CPU share at 1 Hz next to a thread that wakes and does nothing.

Budget (DESIGN.md): <= 1 % of one core at 1 Hz. A thread's CPU time (user + system, read through
psutil) moves in clock ticks of 10 ms, more than 20 s of 1 Hz sampling uses: the sampler runs at
100 Hz here, and the share at 1 Hz is its CPU time per sample over one second.
"""

from __future__ import annotations

import threading
import time

import psutil

from _common import header, line

HZ = 100.0
SECONDS = 5.0


def thread_cpu_seconds(native_id: int | None) -> float:
    """CPU seconds (user + system) that one thread of this process has used so far."""
    for thread in psutil.Process().threads():
        if thread.id == native_id:
            return float(thread.user_time + thread.system_time)
    raise RuntimeError(f"thread {native_id} is gone")


def per_wakeup(thread: threading.Thread, count: list[int]) -> float:
    """Milliseconds of ``thread``'s CPU time per wake-up (``count[0]`` counts them)."""
    time.sleep(1.0)  # past the imports (psutil, NVML) that happen once at start
    cpu, done = thread_cpu_seconds(thread.native_id), count[0]
    time.sleep(SECONDS)
    cpu, done = thread_cpu_seconds(thread.native_id) - cpu, count[0] - done
    return 1000 * cpu / max(1, done)


def sampler_ms() -> float:
    """CPU milliseconds per sample of the recorder's sampler (psutil, and NVML where present)."""
    from jupyterlab_xp.kernel.sampler import SystemSampler

    count = [0]

    def report(metrics: dict[str, float], step: int) -> None:
        count[0] += 1

    sampler = SystemSampler(report, interval=1 / HZ, report_every=1)
    sampler.start()
    thread = next(t for t in threading.enumerate() if t.name == "xp-sampler")
    try:
        return per_wakeup(thread, count)
    finally:
        sampler.stop()


def idle_ms() -> float:
    """The same for a thread that wakes at the same rate and does nothing."""
    stop, count = threading.Event(), [0]

    def loop() -> None:
        while not stop.wait(1 / HZ):
            count[0] += 1

    thread = threading.Thread(target=loop)
    thread.start()
    try:
        return per_wakeup(thread, count)
    finally:
        stop.set()
        thread.join()


def main() -> None:
    header("system sampler (psutil + NVML), share of one core at 1 Hz")
    # CPU ms per sample, once a second: ms / 1000 ms * 100 % = ms / 10
    line(
        "sampler thread at 1 Hz",
        sampler_ms() / 10,
        idle_ms() / 10,
        "a thread waking at 1 Hz",
        unit="%",
        budget="<= 1 %",
    )


if __name__ == "__main__":
    main()
