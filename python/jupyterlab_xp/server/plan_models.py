"""The Promote plan's parts: the code that will run, the packages ``--env recorded`` would
install, and who recorded the run, where and when.

Bodies of ``GET promote-plan`` (see ``PromotePlan`` in :mod:`jupyterlab_xp.server.models`, which
the TypeScript types are generated from). Everything here is text to show, never markup.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from jupyterlab_xp.server.api_model import ApiModel
from jupyterlab_xp.server.env_models import LockDiff


class PlanCell(ApiModel):
    """One cell the promotion will run, as plain text."""

    label: str = Field(description='where it comes from: "seq 7 (cell abc)", "added by promote"')
    source: str = Field(description="its code; hidden characters as escapes; capped")
    parameters: bool = Field(description="the parameters cell papermill injects values after")
    hidden_chars: int = Field(description="control or invisible characters shown as escapes")
    omitted_chars: int = Field(description="characters past the cap, not shown")


class PlanCode(ApiModel):
    """The cells one order runs, in order (capped), and the digest of all of them."""

    cells: list[PlanCell]
    total_cells: int
    omitted_cells: int = Field(description="cells past the cap, not shown")
    sha256: str = Field(description="names exactly this code: send it as code_sha256")


class PlanEnvironment(ApiModel):
    """``env: recorded``: every package pin it would install (all of them), and the digests."""

    pins: list[str] = Field(description="name==version, each one pip would install (from wheels)")
    lock: LockDiff | None
    sha256: dict[str, str] = Field(
        description="per order: the digest of its code and these pins; send it as code_sha256 "
        "with env recorded"
    )


class Provenance(ApiModel):
    """Who recorded the source run, where and when, as its tags say (the store is not trusted)."""

    run_id: str | None
    host: str | None
    user: str | None
    notebook: str | None = Field(description="the notebook path as recorded (text)")
    recorded: int | None = Field(description="when the run started, ms since the epoch")
    experiment: str | None
    code_from: Literal["journal", "store", "notebook"] = Field(
        description="journal: this machine's exact journal; store: the store's (redacted) copy"
    )
