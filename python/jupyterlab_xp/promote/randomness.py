"""Which cells draw random numbers that nothing seeded, read from the code (never from a diff).

A cell is ``random`` when it calls a generator of a library (Python's ``random``, NumPy's global
or an unseeded ``default_rng()``/``RandomState()``, torch, scikit-learn estimators and splits
without ``random_state``) and no earlier cell, nor the cell itself before the draw, seeded that
library. ``%xp start`` and ``xp.seed_everything`` seed every library (the journal of a recorded
run says so); a cell added by promote does not count, since the stored outputs predate it.
"""

from __future__ import annotations

import re

PYTHON, NUMPY, TORCH = "random", "numpy", "torch"
ALL = frozenset({PYTHON, NUMPY, TORCH})

_SEEDS: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = (
    (re.compile(r"^\s*%xp\s+start\b|\bxp\.start\(|\bseed_everything\(", re.M), ALL),
    (re.compile(r"\bnp\.random\.seed\(|\bnumpy\.random\.seed\("), frozenset({NUMPY})),
    (re.compile(r"(?<![\w.])random\.seed\("), frozenset({PYTHON})),
    (re.compile(r"\btorch\.(?:manual_seed|random\.manual_seed)\("), frozenset({TORCH})),
)
_NP_DRAW = re.compile(
    r"\b(?:np|numpy)\.random\.(?!seed\b|default_rng\b|RandomState\b|Generator\b|SeedSequence\b"
    r"|get_state\b|set_state\b|PCG64\b|MT19937\b|BitGenerator\b)\w+\("
)
_PY_DRAW = re.compile(
    r"(?<![\w.])random\.(?:random|randint|randrange|choice|choices|shuffle|sample|uniform|gauss"
    r"|normalvariate|expovariate|betavariate|triangular|getrandbits|randbytes)\("
)
_TORCH_DRAW = re.compile(
    r"\btorch\.(?:rand|randn|randint|randperm|rand_like|randn_like|randint_like|normal"
    r"|bernoulli|multinomial|poisson)\("
)
# Unseeded generators: no argument, or an explicit None.
_UNSEEDED_GEN = re.compile(
    r"(?:\b(\w+)\s*=\s*)?\b(?:(?:np|numpy)\.random\.)?(?:default_rng|RandomState)\(\s*(?:None)?\s*\)"
)
# scikit-learn: shuffling splits and randomised estimators use NumPy's global state unless given
# a random_state (so a NumPy seed makes them reproducible).
_SKLEARN = re.compile(
    r"\b(train_test_split|KFold|StratifiedKFold|ShuffleSplit|RandomForestClassifier"
    r"|RandomForestRegressor|ExtraTreesClassifier|ExtraTreesRegressor|KMeans|MiniBatchKMeans"
    r"|GradientBoostingClassifier|GradientBoostingRegressor|MLPClassifier|MLPRegressor|SGDClassifier"
    r"|TSNE|make_classification|make_regression|make_blobs)\(([^()]*(?:\([^()]*\)[^()]*)*)\)"
)


def _draws(code: str, generators: set[str]) -> set[str]:
    """The libraries whose unseeded state ``code`` draws from ('generator' for own objects)."""
    found: set[str] = set()
    if _NP_DRAW.search(code):
        found.add(NUMPY)
    if _PY_DRAW.search(code):
        found.add(PYTHON)
    if _TORCH_DRAW.search(code):
        found.add(TORCH)
    for match in _SKLEARN.finditer(code):
        if "random_state" not in match.group(2) and (
            match.group(1) not in ("KFold", "StratifiedKFold") or "shuffle=True" in match.group(2)
        ):
            found.add(NUMPY)
    for match in _UNSEEDED_GEN.finditer(code):
        found.add("generator")
        if match.group(1):
            generators.add(match.group(1))
    if any(re.search(rf"\b{re.escape(name)}\.\w+\(", code) for name in generators):
        found.add("generator")
    return found


def _seeded(code: str) -> frozenset[str]:
    out: set[str] = set()
    for pattern, libraries in _SEEDS:
        if pattern.search(code):
            out |= libraries
    return frozenset(out)


def random_cells(sources: list[str], counted: list[bool] | None = None) -> list[bool]:
    """For each cell in run order, whether it draws random numbers nothing seeded.

    ``counted[i]`` False leaves cell i out of the seeding (a cell promote added: the stored
    outputs were made without it).
    """
    seeded: set[str] = set()
    generators: set[str] = set()
    out: list[bool] = []
    for index, code in enumerate(sources):
        if counted is not None and not counted[index]:
            out.append(False)
            continue
        # A seed in the same cell before its draws seeds them: count the cell's seeds first.
        seeded |= _seeded(code)
        draws = _draws(code, generators)
        out.append(bool(draws - seeded))
    return out
