"""The body of ``PATCH runs/{id}``, which renames a run and edits its note and tags.

Listed with every other body in :mod:`jupyterlab_xp.server.models` (``API_MODELS``), from which
the TypeScript types are generated.
"""

from __future__ import annotations

from pydantic import Field

from jupyterlab_xp.server.api_model import ApiModel


class RunPatch(ApiModel):
    """``PATCH runs/{id}``: a new name, note (Markdown; "" or null: none), tags (null: delete)."""

    name: str | None = None
    note: str | None = None
    tags: dict[str, str | None] | None = Field(default=None, description="not xp.* or mlflow.*")
