"""Calibration of compare's decisions (``make calibrate``): null simulations, no timings.

Every cell draws both sides from the same distribution (no true difference) many times and
runs compare's own test code on each draw; the share of "distinguishable" decisions is the
false-positive rate, printed with its Wilson 95 % interval beside alpha. Family-wise rates
group the draws into families of 4 metrics corrected by Holm. Interval cells print how often
the 95 % interval covers the true value. The old rule (Welch's p alone, p = 0 without spread)
is printed beside the group cells for contrast.

    python benchmarks/calibrate.py [--sims N]   # N draws per cell (default 2,000)
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))

from jupyterlab_xp.views import paired, stats

ALPHA = stats.ALPHA
FAMILY = 4  # metrics per family for the family-wise rate


def wilson(hits: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson's score interval of a binomial proportion (95 % by default)."""
    if n == 0:
        return math.nan, math.nan
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def rate(hits: np.ndarray) -> str:
    """A share of hits with its Wilson interval, in percent: ``4.9 % [4.0, 6.0]``."""
    n, k = len(hits), int(np.sum(hits))
    low, high = wilson(k, n)
    return f"{100 * k / n:5.1f} % [{100 * low:4.1f}, {100 * high:4.1f}]"


def family_wise(p: np.ndarray) -> np.ndarray:
    """Families of FAMILY p-values, Holm: any rejected iff the smallest is below alpha/FAMILY."""
    usable = len(p) // FAMILY * FAMILY
    return p[:usable].reshape(-1, FAMILY).min(axis=1) * FAMILY < ALPHA


def old_rule(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The rule before issue 18: Welch's p alone, 0 when neither group varies and means differ."""
    from scipy import stats as sps

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no spread: NaN, handled below
        result = sps.ttest_ind(b, a, axis=1, equal_var=False)
    flat = (np.ptp(a, axis=1) == 0) & (np.ptp(b, axis=1) == 0)
    same = a.mean(axis=1) == b.mean(axis=1)
    return np.where(flat, np.where(same, 1.0, 0.0), np.nan_to_num(result.pvalue, nan=1.0))


def group_cell(
    name: str,
    draw: Callable[[np.random.Generator, int, int], np.ndarray],
    n_a: int,
    n_b: int,
    sims: int,
) -> None:
    """One group-test cell: draws of n_a + n_b runs from one distribution."""
    rng = np.random.default_rng(zlib.crc32(f"{name} {n_a} {n_b}".encode()))
    values = draw(rng, sims, n_a + n_b)
    a, b = values[:, :n_a], values[:, n_a:]
    p = stats.group_tests_many(a, b)["p_value"]
    old = old_rule(a, b)
    print(
        f"  {name:<34} {n_a:>2} vs {n_b:<2} {rate(p < ALPHA)}   {rate(family_wise(p))}   "
        f"{rate(old < ALPHA)}   {rate(family_wise(old))}"
    )


def normal(rng: np.random.Generator, sims: int, n: int) -> np.ndarray:
    return rng.normal(0.9, 0.01, (sims, n))


def binomial_accuracy(rng: np.random.Generator, sims: int, n: int) -> np.ndarray:
    """Accuracy on 100 examples at 0.99: most draws tie."""
    return rng.binomial(100, 0.99, (sims, n)) / 100


def lognormal(rng: np.random.Generator, sims: int, n: int) -> np.ndarray:
    return rng.lognormal(0.0, 1.0, (sims, n))


def seed_group_cell(examples: int, run_sd: float, sims: int, runs: int = 5) -> None:
    """Two seed groups of the same configuration with predictions on the same examples: each
    example has a difficulty, each run a run effect (its accuracy shifted by N(0, run_sd))."""
    rng = np.random.default_rng(examples * 1000 + int(run_sd * 1e4))
    hits_p = np.empty(sims)
    covered = np.empty(sims, dtype=bool)
    for s in range(sims):
        easy = rng.beta(8, 2, examples)  # P(correct) per example, mean 0.8
        shift = rng.normal(0, run_sd, (2 * runs, 1))
        correct = rng.random((2 * runs, examples)) < np.clip(easy + shift, 0, 1)
        per_run = correct.astype(float)
        a, b = per_run[:runs], per_run[runs:]
        values_a, values_b = a.mean(axis=1), b.mean(axis=1)
        hits_p[s] = stats.group_tests_many(values_a[None, :], values_b[None, :])["p_value"][0]
        extra = paired.example_variance(a, b)
        low, high = paired.run_interval(values_a[None, :], values_b[None, :], extra)
        covered[s] = low[0] <= 0 <= high[0]
    label = f"{runs} vs {runs} runs, {examples:,} examples, run SD {run_sd:g}"
    print(f"  {label:<48} {rate(hits_p < ALPHA)}   {rate(family_wise(hits_p))}   {rate(covered)}")


def t_coverage_cell(
    name: str,
    draw: Callable[[np.random.Generator, int, int], np.ndarray],
    truth: float,
    n: int,
    sims: int,
) -> None:
    rng = np.random.default_rng(n * 7 + len(name))
    values = draw(rng, sims, n)
    covered = np.empty(sims, dtype=bool)
    for s in range(sims):
        row = stats.describe("x", values[s].tolist())
        covered[s] = row["ci_low"] <= truth <= row["ci_high"]
    print(f"  {name:<24} n = {n:<3} {rate(covered)}   nominal 95 %")


def single_run_cell(task: str, examples: int, sims: int) -> None:
    """Two single runs of the same model on the same examples: classification (McNemar, as
    compare picks it) or regression MAE (the sign-flip test), and the t interval's coverage."""
    rng = np.random.default_rng(examples * 31 + len(task))
    hits = np.empty(sims, dtype=bool)
    covered = np.empty(sims, dtype=bool)
    for s in range(sims):
        if task == "classification":
            easy = rng.beta(8, 2, examples)
            a, b = (rng.random((2, examples)) < easy).astype(float)
            p = paired.mcnemar_test(a > 0.5, b > 0.5)["p"]
            smallest = min(1.0, 2 * 0.5 ** len(paired.nonzero_differences(b - a)))
        else:
            a, b = np.abs(rng.standard_t(3, (2, examples)))  # heavy-tailed absolute errors
            p, smallest = paired.sign_flip_p(b - a)
        hits[s] = p is not None and smallest is not None and smallest < ALPHA and p < ALPHA
        low, high = paired.paired_interval(b - a)
        covered[s] = low is not None and high is not None and low <= 0 <= high
    test = "McNemar" if task == "classification" else "sign-flip, MAE"
    label = f"{task} ({test}), {examples} examples"
    print(f"  {label:<48} {rate(hits)}   {rate(covered)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=2000, help="draws per cell (default 2,000)")
    sims = parser.parse_args().sims
    started = time.perf_counter()
    print(
        f"null simulations, {sims:,} draws per cell, alpha = {ALPHA}; family-wise: families "
        f"of {FAMILY} metrics, Holm ({sims // FAMILY:,} families); [Wilson 95 % interval]"
    )
    print("\ngroup tests (compare's decision | old rule: Welch alone, p = 0 without spread)")
    print(
        f"  {'draws':<34} {'sizes':<8} {'per test':<23}   {'family-wise':<23}   "
        f"{'old per test':<23}   old family-wise"
    )
    for n in (2, 3, 4, 5, 7, 10):
        group_cell("normal", normal, n, n, sims)
    for n_a, n_b in ((2, 10), (2, 18), (3, 10)):
        group_cell("normal, unequal sizes", normal, n_a, n_b, sims)
    for n_a, n_b in ((3, 10), (5, 5)):
        group_cell("lognormal (skewed)", lognormal, n_a, n_b, sims)
    for n in (2, 3, 5):
        group_cell("accuracy on 100 examples at 0.99", binomial_accuracy, n, n, sims)
    print("\npaired tests between seed groups (runs as units) | interval covers 0")
    print(f"  {'draws':<48} {'per test':<23}   {'family-wise':<23}   coverage")
    for examples, run_sd in ((300, 0.01), (1000, 0.01), (1000, 0.03)):
        seed_group_cell(examples, run_sd, sims)
    print("\npaired tests between two single runs | t interval of the difference covers 0")
    print(f"  {'draws':<48} {'per test':<23}   coverage")
    for task, examples in (
        ("regression", 3),
        ("regression", 20),
        ("classification", 20),
        ("classification", 300),
    ):
        single_run_cell(task, examples, sims)
    print("\n95 % interval of a group's mean (Student's t at every size)")
    for n in (2, 3, 5, 10, 15, 19):
        t_coverage_cell("normal", normal, 0.9, n, sims)
    for n in (10, 15, 19):
        t_coverage_cell("lognormal (skewed)", lognormal, math.exp(0.5), n, sims)
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
