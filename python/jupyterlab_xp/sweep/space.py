"""A sweep's search space: ``lr=loguniform:1e-4:1e-1``, ``hidden=choice:32,64,128`` and so on.

Each ``--param`` names a parameter the notebook's parameters cell defines, or a field of the
config the source run recorded with ``xp.param(cfg)`` (``model.lr``), and a distribution:
``uniform:LOW:HIGH``, ``loguniform:LOW:HIGH`` (LOW > 0), ``int:LOW:HIGH`` (inclusive) or
``choice:A,B,...`` (Python literals). Anything else is one line before anything runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.promote import overrides
from jupyterlab_xp.promote import source as sources
from jupyterlab_xp.promote.params import check_name, parse_text

KINDS = ("uniform", "loguniform", "int", "choice")
MAX_CHOICES = 1000
MAX_SPEC = 2000
MAX_DIMENSIONS = 200
MAX_GRID = 100_000  # points a grid sweep may have: more is no sweep anyone will finish
MAX_INT = 2**53  # int bounds Optuna's float arithmetic still holds exactly


@dataclass(frozen=True)
class Dimension:
    """One parameter's distribution."""

    name: str
    kind: str
    low: float | int | None = None
    high: float | int | None = None
    choices: tuple[Any, ...] = ()

    @property
    def spec(self) -> str:
        """The text form, as typed (it round-trips through :func:`parse_dimension`)."""
        if self.kind == "choice":
            return f"{self.name}=choice:{','.join(repr(c) for c in self.choices)}"
        return f"{self.name}={self.kind}:{self.low!r}:{self.high!r}"

    def grid_size(self) -> int:
        """How many values a grid sampler tries (choice and int only), without listing them."""
        if self.kind == "choice":
            return len(self.choices)
        if self.kind == "int":
            assert isinstance(self.low, int) and isinstance(self.high, int)
            return self.high - self.low + 1
        raise XpError(
            f"the grid sampler needs choice or int parameters; {self.name} is {self.kind}"
        )

    def grid(self) -> list[Any]:
        """Every value a grid sampler tries (choice and int only; see :func:`check_grid`)."""
        if self.kind == "choice":
            return list(self.choices)
        assert isinstance(self.low, int) and isinstance(self.high, int)
        self.grid_size()  # XpError for a continuous dimension
        return list(range(self.low, self.high + 1))

    def extremes(self) -> list[Any]:
        """Values of every type the dimension can give (to check against a config's schema)."""
        if self.kind == "choice":
            return list(self.choices)
        if self.kind == "int":
            return [self.low, self.high]
        return [float(self.low or 0), float(self.high or 0)]

    def distribution(self) -> Any:
        """The Optuna distribution (imports optuna)."""
        from optuna import distributions as d

        if self.kind == "choice":
            return d.CategoricalDistribution(list(self.choices))
        if self.kind == "int":
            return d.IntDistribution(int(self.low or 0), int(self.high or 0))
        return d.FloatDistribution(
            float(self.low or 0), float(self.high or 0), log=self.kind == "loguniform"
        )


def _number(name: str, text: str, integer: bool) -> float | int:
    try:
        value: float | int = int(text) if integer else float(text)
    except ValueError:
        kind = "an integer" if integer else "a number"
        raise XpError(f"--param {name}: {text[:40]!r} is not {kind}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise XpError(f"--param {name}: bounds must be finite, got {text[:40]!r}")
    if isinstance(value, int) and abs(value) > MAX_INT:
        raise XpError(f"--param {name}: int bounds must lie within ±2**53, got {text[:40]!r}")
    return value


def parse_dimension(text: str) -> Dimension:
    """``name=kind:args`` to a :class:`Dimension`; XpError names what is wrong."""
    if not isinstance(text, str) or len(text) > MAX_SPEC:
        raise XpError(f"--param must be NAME=DISTRIBUTION:ARGS of at most {MAX_SPEC} characters")
    name, eq, rest = text.partition("=")
    if not eq:
        raise XpError(
            f"--param {text[:60]!r}: expected NAME=DISTRIBUTION:ARGS, e.g. lr=loguniform:1e-4:1e-1"
        )
    name = name.strip()
    name = overrides.check_key(name) if "." in name else check_name(name)
    kind, colon, args = rest.strip().partition(":")
    if kind not in KINDS:
        raise XpError(
            f"--param {name}: unknown distribution {kind[:30]!r}; use one of {', '.join(KINDS)}"
        )
    if not colon or not args.strip():
        raise XpError(f"--param {name}: {kind} needs arguments, e.g. {_EXAMPLES[kind]}")
    if kind == "choice":
        values = tuple(parse_text(name, part.strip()) for part in args.split(",") if part.strip())
        if not values:
            raise XpError(f"--param {name}: choice needs at least one value")
        if len(values) > MAX_CHOICES:
            raise XpError(f"--param {name}: at most {MAX_CHOICES} choices")
        for value in values:
            if not (value is None or isinstance(value, (bool, int, float, str))):
                raise XpError(
                    f"--param {name}: choices must be numbers, strings, booleans or None, "
                    f"got {value!r:.40}"
                )
        if len(set(map(repr, values))) != len(values):
            raise XpError(f"--param {name}: choices must not repeat")
        return Dimension(name, kind, choices=values)
    parts = args.split(":")
    if len(parts) != 2:
        raise XpError(f"--param {name}: {kind} takes LOW:HIGH, e.g. {_EXAMPLES[kind]}")
    low, high = (_number(name, p.strip(), kind == "int") for p in parts)
    if low >= high:
        raise XpError(f"--param {name}: bad range {low!r}:{high!r} (LOW must be below HIGH)")
    if not math.isfinite(high - low):  # -1e308:1e308: the sampler's HIGH - LOW overflows
        raise XpError(f"--param {name}: range {low!r}:{high!r} is too wide (HIGH - LOW overflows)")
    if kind == "loguniform" and low <= 0:
        raise XpError(
            f"--param {name}: bad range for loguniform, LOW must be above 0 (got {low!r})"
        )
    return Dimension(name, kind, low, high)


_EXAMPLES = {
    "uniform": "dropout=uniform:0:0.5",
    "loguniform": "lr=loguniform:1e-4:1e-1",
    "int": "layers=int:1:4",
    "choice": "hidden=choice:32,64,128",
}


def parse_space(specs: Iterable[str], known: Mapping[str, Any] | None) -> dict[str, Dimension]:
    """Every ``--param`` parsed, none twice, each one a parameter the notebook defines.

    Args:
        specs: the ``--param`` texts.
        known: the parameters cell's names (None: do not check, e.g. a study loaded back).
    """
    if isinstance(specs, str):
        raise XpError("the search space must be a list of --param texts")
    space: dict[str, Dimension] = {}
    for text in specs:
        if len(space) >= MAX_DIMENSIONS:
            raise XpError(f"a sweep takes at most {MAX_DIMENSIONS} --param dimensions")
        dim = parse_dimension(text)
        if dim.name in space:
            raise XpError(f"--param {dim.name} is given twice")
        space[dim.name] = dim
    if not space:
        raise XpError("a sweep needs at least one --param NAME=DISTRIBUTION:ARGS")
    if known is not None:
        unknown = [n for n in space if n not in known]
        if unknown:
            defined = ", ".join(known) if known else "none (no cell tagged parameters)"
            raise XpError(
                f"--param {unknown[0]}: the parameters cell does not define it; defined: {defined}"
            )
    return space


def check_targets(space: Mapping[str, Dimension], src: sources.Source) -> None:
    """Each dimension is a name the parameters cell defines or a field of the source's recorded
    config, whose type every value of the dimension fits; XpError names the first that is not.
    """
    schema = overrides.schema_of(src)
    for dim in space.values():
        if "." in dim.name or overrides.in_config(schema, dim.name):
            for value in dim.extremes():
                problem = overrides.config_problem(schema, dim.name, value)
                if problem:
                    raise XpError(f"--param {problem}")
        elif dim.name not in src.params:
            defined = ", ".join(src.params) if src.params else "none (no cell tagged parameters)"
            raise XpError(
                f"--param {dim.name}: the parameters cell does not define it; defined: {defined}"
            )


def check_grid(space: Mapping[str, Dimension]) -> int:
    """The number of points of the grid over ``space``; XpError past :data:`MAX_GRID`.

    Counted from each dimension's size (never listed): a 2,000 x 2,000 grid is refused in one
    line rather than built as four million points.
    """
    size = 1
    for dim in space.values():
        size *= dim.grid_size()
        if size > MAX_GRID:
            raise XpError(
                f"the grid has more than {MAX_GRID:,} points (at {dim.name}): narrow the ranges "
                "or use --sampler tpe or random"
            )
    return size


def space_text(space: Mapping[str, Dimension]) -> str:
    """The search space as one line (the parent run's tag)."""
    return "; ".join(d.spec for d in space.values())


def space_from_text(text: object) -> dict[str, Dimension]:
    """:func:`space_text` read back (from a study's config: checked like typed input)."""
    if not isinstance(text, str) or len(text) > MAX_DIMENSIONS * (MAX_SPEC + 2):
        raise XpError("the sweep's search space is not a list of --param texts")
    return parse_space([p.strip() for p in text.split(";") if p.strip()], None)


def suggest(trial: Any, space: Mapping[str, Dimension]) -> dict[str, Any]:
    """The trial's values for every dimension (Optuna's ``suggest_*``)."""
    values: dict[str, Any] = {}
    for dim in space.values():
        if dim.kind == "choice":
            values[dim.name] = trial.suggest_categorical(dim.name, list(dim.choices))
        elif dim.kind == "int":
            values[dim.name] = trial.suggest_int(dim.name, int(dim.low or 0), int(dim.high or 0))
        else:
            values[dim.name] = trial.suggest_float(
                dim.name, float(dim.low or 0), float(dim.high or 0), log=dim.kind == "loguniform"
            )
    return values
