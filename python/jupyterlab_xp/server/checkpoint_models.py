"""The run detail's checkpoints (``RunDetail.checkpoints``), one entry per saved checkpoint.

Listed with every other body in :mod:`jupyterlab_xp.server.models` (``API_MODELS``), from which
the TypeScript types are generated.
"""

from __future__ import annotations

from pydantic import Field

from jupyterlab_xp.server.api_model import ApiModel


class CheckpointEntry(ApiModel):
    """One checkpoint of a run (``xp.checkpoint``), as ``xp/checkpoints.json`` lists it."""

    name: str
    version: int = Field(description="1, 2, ... per name in the run")
    step: int | None = Field(description="the step or epoch it was taken at, if given")
    size: int = Field(description="bytes, all its files together")
    sha256: str = Field(description="sha256 of its metadata.json (which checksums every file)")
    path: str = Field(description="checkpoints/{name}/{version}/{timestamp} in the run")
    timestamp: str
