"""Which cells draw random numbers that nothing seeded, read from the code (never from a diff).

A cell is ``random`` when it calls a generator of a library (Python's ``random``, NumPy's global
(also by the names ``from numpy import *``, ``from numpy.random import ...`` or ``%pylab`` bind)
or an unseeded ``default_rng()``/``RandomState()``, torch, scikit-learn estimators and splits
without ``random_state``) and no earlier cell, nor the cell itself before the draw, seeded that
library. ``%xp start`` and ``xp.seed_everything`` seed every library (the journal of a recorded
run says so); a cell added by promote does not count, since the stored outputs predate it.

What a draw made is random too: statement by statement (read with :mod:`ast`), a name assigned
from a draw or from a random name is random, and so is an object a drawing statement changes in
place (``df["noise"] = np.random.randn(n)``, ``rng.shuffle(x)``); a name assigned again from
values nothing random made is not. A later cell that reads a random name is random: its output
may differ for the same reason. The clock is read the same way (:func:`clock_cells`): a cell
that calls ``datetime.now()``, ``time.time()`` and the like, or reads a name made from them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

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
    r"|RandomizedSearchCV|ParameterSampler|BaggingClassifier|BaggingRegressor|IsolationForest"
    r"|RandomForestRegressor|ExtraTreesClassifier|ExtraTreesRegressor|KMeans|MiniBatchKMeans"
    r"|GradientBoostingClassifier|GradientBoostingRegressor|MLPClassifier|MLPRegressor|SGDClassifier"
    r"|TSNE|make_classification|make_regression|make_blobs)\(([^()]*(?:\([^()]*\)[^()]*)*)\)"
)


# NumPy's global generator by other names: ``from numpy import random`` and ``from numpy import
# *`` bind the module as ``random``, ``import numpy.random as npr`` as ``npr``; ``from
# numpy.random import rand`` (or ``*``), ``from pylab import *`` and ``%pylab`` bind its
# functions by their bare names (``rand(3)``, ``seed(0)``).
_NP_NOT_DRAWS = (
    "seed|default_rng|RandomState|Generator|SeedSequence|get_state|set_state|PCG64|MT19937"
    "|BitGenerator"
)
_NP_FUNCTION_NAMES = (
    "rand randn randint random random_sample random_integers ranf sample choice shuffle "
    "permutation bytes normal uniform standard_normal binomial poisson exponential beta gamma "
    "lognormal multinomial multivariate_normal laplace logistic geometric chisquare "
    "standard_t triangular weibull"
)
_NP_FUNCTIONS = frozenset(_NP_FUNCTION_NAMES.split())
_FROM_NUMPY = re.compile(r"^[ \t]*from[ \t]+numpy[ \t]+import[ \t]+([^#\n]+)", re.M)
_FROM_NP_RANDOM = re.compile(r"^[ \t]*from[ \t]+numpy\.random[ \t]+import[ \t]+([^#\n]+)", re.M)
_IMPORT_NP_RANDOM = re.compile(r"^[ \t]*import[ \t]+numpy\.random[ \t]+as[ \t]+(\w+)", re.M)
_PYLAB = re.compile(
    r"^[ \t]*(?:from[ \t]+(?:matplotlib\.)?pylab[ \t]+import[ \t]+\*|%pylab\b)", re.M
)
_IMPORT_RANDOM = re.compile(r"^[ \t]*import[ \t]+random\b(?![ \t]+as)", re.M)  # Python's again


def _imported(names: str) -> list[tuple[str, str]]:
    """``a, b as c`` (parentheses allowed) as ``[(a, a), (b, c)]``."""
    out = []
    for part in names.strip().strip("()").split(","):
        words = part.split()
        if words:
            out.append((words[0], words[2] if len(words) == 3 and words[1] == "as" else words[0]))
    return out


@dataclass
class _NumpyNames:
    """The names a notebook has bound to NumPy's global generator, cell after cell."""

    modules: set[str]
    functions: set[str]
    seeders: set[str]

    def read(self, code: str) -> None:
        for match in _FROM_NUMPY.finditer(code):
            for name, bound in _imported(match.group(1)):
                if name in ("*", "random"):
                    self.modules.add("random" if name == "*" else bound)
        self.modules |= set(_IMPORT_NP_RANDOM.findall(code))
        for match in _FROM_NP_RANDOM.finditer(code):
            for name, bound in _imported(match.group(1)):
                if name == "*":
                    self.functions |= _NP_FUNCTIONS
                    self.seeders.add("seed")
                elif name == "seed":
                    self.seeders.add(bound)
                elif name in _NP_FUNCTIONS:
                    self.functions.add(bound)
        if _PYLAB.search(code):
            self.functions |= _NP_FUNCTIONS
            self.seeders.add("seed")
        if _IMPORT_RANDOM.search(code):
            self.modules.discard("random")

    def _calls(self, code: str, names: set[str], attribute: str) -> bool:
        if not names:
            return False
        alternatives = "|".join(sorted(re.escape(n) for n in names))
        return bool(re.search(rf"(?<![\w.])(?:{alternatives}){attribute}\(", code))

    def draws(self, code: str) -> bool:
        return self._calls(code, self.functions, "") or self._calls(
            code, self.modules, rf"\.(?!(?:{_NP_NOT_DRAWS})\b)\w+"
        )

    def seeds(self, code: str) -> bool:
        return self._calls(code, self.seeders, "") or self._calls(code, self.modules, r"\.seed")


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


@dataclass
class _Statement:
    """One top-level statement: its text, the names it reads, assigns and changes in place."""

    source: str
    reads: set[str]
    assigns: set[str]
    changes: set[str]


def _root(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _statement(node: ast.stmt, text: str, modules: set[str]) -> _Statement:
    reads = {
        n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }
    assigns = {
        n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    changes: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            assigns.add(sub.name)
        elif isinstance(sub, ast.Import | ast.ImportFrom):
            modules |= {(a.asname or a.name).split(".")[0] for a in sub.names}
        elif isinstance(sub, ast.AugAssign) and isinstance(sub.target, ast.Name):
            reads.add(sub.target.id)  # x += 1 keeps what x was
        targets = getattr(sub, "targets", None) or [getattr(sub, "target", None)]
        if isinstance(sub, ast.Assign | ast.AugAssign | ast.AnnAssign):
            changes |= {r for t in targets if not isinstance(t, ast.Name) for r in [_root(t)] if r}
        call = sub.value if isinstance(sub, ast.Expr) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
            # A call made for its effect changes its object: x.append(draw()), ax.plot(noise)
            receiver = _root(call.func.value)
            if receiver and receiver not in modules:
                changes.add(receiver)
            if call.func.attr == "shuffle":
                changes |= {a.id for a in call.args if isinstance(a, ast.Name)}
    segment = ast.get_source_segment(text, node) or ""
    return _Statement(segment, reads, assigns, changes - modules)


def _statements(code: str, modules: set[str]) -> list[_Statement] | None:
    from jupyterlab_xp.promote.defuse import python_code

    try:
        text = python_code(code)
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return [_statement(node, text, modules) for node in tree.body]


class _Flow:
    """Names made from a source (an unseeded draw, the clock), followed from cell to cell."""

    def __init__(self) -> None:
        self.made: set[str] = set()
        self.modules: set[str] = set()
        self.defined: set[str] = set()  # names the notebook assigned: objects it can change

    def cell(self, code: str, source: Callable[[str], bool]) -> bool:
        """Whether the cell reads the source or a name made from it; records what it makes."""
        statements = _statements(code, self.modules)
        if statements is None:  # not Python (yet): the whole cell, by its text
            reads = any(re.search(rf"(?<![\w.]){re.escape(n)}\b", code) for n in self.made)
            return source(code) or reads
        hit = False
        for statement in statements:
            self.defined |= statement.assigns
            if source(statement.source) or statement.reads & self.made:
                hit = True
                self.made |= statement.assigns | (statement.changes & self.defined)
            else:
                self.made -= statement.assigns  # assigned again from values nothing random made
        return hit


def random_cells(sources: list[str], counted: list[bool] | None = None) -> list[bool]:
    """For each cell in run order, whether it draws random numbers nothing seeded, or reads a
    name made from such a draw.

    ``counted[i]`` False leaves cell i out of the seeding (a cell promote added: the stored
    outputs were made without it).
    """
    seeded: set[str] = set()
    generators: set[str] = set()
    numpy = _NumpyNames(set(), set(), set())
    flow = _Flow()

    def drew(text: str) -> bool:
        found = _draws(text, generators) | ({NUMPY} if numpy.draws(text) else set())
        return bool(found - seeded)

    out: list[bool] = []
    for index, code in enumerate(sources):
        if counted is not None and not counted[index]:
            out.append(False)
            continue
        # A seed in the same cell before its draws seeds them: count the cell's seeds first.
        numpy.read(code)
        seeded |= _seeded(code) | ({NUMPY} if numpy.seeds(code) else set())
        out.append(flow.cell(code, drew))
    return out


_CLOCK = re.compile(
    r"\b(?:datetime\.(?:now|today|utcnow)|date\.today|time\.(?:time|time_ns|localtime|gmtime"
    r"|ctime)|Timestamp\.(?:now|today))\(|\b(?:Timestamp|datetime64|to_datetime)\(\s*['\"]"
    r"(?:now|today)['\"]"
)


def clock_cells(sources: list[str], counted: list[bool] | None = None) -> list[bool]:
    """For each cell in run order, whether it reads the clock (``datetime.now()``,
    ``time.time()``, ``pd.Timestamp("now")``) or a name made from it: its output says when it
    ran."""
    flow = _Flow()
    return [
        False
        if counted is not None and not counted[index]
        else flow.cell(code, lambda text: bool(_CLOCK.search(text)))
        for index, code in enumerate(sources)
    ]
