"""Response parts of a promotion's verification: each cell's class, the order used, the failure."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from jupyterlab_xp.server.api_model import ApiModel

CellClass = Literal[
    "identical",
    "same-values",
    "within-tolerance",
    "environment",
    "random",
    "differs",
    "no-stored-output",
    "skipped",
    "notebook-export",
]


class FirstDifference(ApiModel):
    """The first value that differs: stored and new, side by side."""

    stored: str
    new: str


class CellVerdict(ApiModel):
    """One source cell's stored outputs against the promoted run's."""

    cell: str = Field(description="where it came from: 'cell 3 (In [7])', 'seq 4'")
    line: str = Field(description="the cell's first non-empty line")
    class_: CellClass = Field(alias="class")
    rules: list[str] = Field(
        default_factory=list, description="the drift rules that made stored and new agree"
    )
    first_difference: FirstDifference | None = None
    stored: str | None = Field(None, description="the stored text (capped), unless identical")
    new: str | None = Field(None, description="the new text (capped), unless identical")
    image_similarity: float | None = Field(
        None, description="perceptual-hash similarity of the cell's PNG outputs, 0 to 1"
    )
    note: str | None = None


class OrderRepair(ApiModel):
    """The order a promotion used; for ``auto``, what was moved, included and left out, and why."""

    order: str
    cells: list[int] = Field(default_factory=list, description="code cell numbers, in run order")
    steps: list[str] = Field(default_factory=list, description="each repair and its reason")
    left_out: list[str] = Field(default_factory=list, description="cells not run, and why")
    sessions: str | None = Field(None, description="set when saved from several kernel sessions")
    attempts: int = Field(1, description="papermill runs it took (a repair after a failure)")


class PythonVersions(ApiModel):
    """The Python of the source run, the one the notebook was saved with, and today's."""

    recorded: str | None
    saved_with: str | None
    today: str


class Removal(ApiModel):
    """A known library removal the error matches, and what to try."""

    package: str
    installed: str
    removed: str
    try_: str = Field(alias="try", description="a requirement under which the code still works")
    instead: str
    outputs_suggest: list[str] = Field(
        default_factory=list, description="what the stored outputs say about the old versions"
    )


class Failure(ApiModel):
    """Why a promoted run failed: the error, the failing line and whose code raised it."""

    ename: str
    evalue: str
    line: str | None = Field(description="the notebook line that failed (from the traceback)")
    line_number: int | None
    raised_in: Literal["notebook", "library"] | None
    library: str | None
    removal: Removal | None
    missing_tool: str | None = Field(None, description="a system program the error says is missing")
    position: int | None = Field(None, description="the cell's number in the source notebook")


class ShimUse(ApiModel):
    """A compatibility shim a promoted run used (promote/shims.py), in one cell."""

    name: str = Field(description="the shim, e.g. 'matplotlib-seaborn-styles'")
    what: str = Field(description="the removal or rename it answers, and how")
    detail: str = Field(description="what it did the first time in this cell")
    cell: int | None = Field(description="the execution count of the cell that used it")
    uses: int = Field(description="how many times in that cell")
