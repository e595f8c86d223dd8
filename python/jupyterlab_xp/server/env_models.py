"""The environment a promotion's kernels ran in: today's, the recorded lock's, or an overlay."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from jupyterlab_xp.server.api_model import ApiModel

EnvKind = Literal["today", "recorded", "overlay"]


class LockDiff(ApiModel):
    """``--env recorded``: the recorded lock against today's packages."""

    pins: int = Field(description="pins in the recorded lock (the promotion's own left out)")
    differed: int = Field(description="pins today's environment does not hold exactly")
    python: str | None = Field(None, description="the recorded run's Python version")


class PromoteEnvironment(ApiModel):
    """Where the promotion ran and, for an overlay, what it pinned and how it was built."""

    kind: EnvKind = Field(description="today: nothing installed; recorded / overlay: pins")
    pins: list[str] = Field(default_factory=list, description="what the overlay installs")
    with_: list[str] = Field(default_factory=list, alias="with", description="the --with specs")
    lock: LockDiff | None = None
    hash: str | None = Field(None, description="the overlay's folder in $XP_HOME/envs")
    no_deps: bool | None = Field(None, description="pins installed without their dependencies")
    python: str | None = Field(None, description="the Python the kernels ran")
    path: str | None = None
    cached: bool | None = Field(None, description="the overlay existed: nothing was installed")
    built: float | None = Field(None, description="when the overlay was built (epoch seconds)")
    build_seconds: float | None = None
    how: str | None = Field(None, description="the pip command that built it")
    installed: list[str] = Field(
        default_factory=list, description="the overlay's own packages (name==version)"
    )
    conflicts: list[str] = Field(
        default_factory=list, description="pip check's complaints naming an overlay package"
    )
