"""Print the JSON schema of every REST body (``python -m jupyterlab_xp.server.schema``).

``jlpm build:types`` feeds it to json-schema-to-typescript to write ``src/api/types.ts``, so the
TypeScript types are generated from the pydantic models rather than copied by hand.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import models_json_schema

from jupyterlab_xp.server.models import API_MODELS


def api_schema() -> dict[str, Any]:
    """One schema whose ``$defs`` hold every API model (each reachable from the root)."""
    _, schema = models_json_schema(
        [(model, "serialization") for model in API_MODELS], ref_template="#/$defs/{model}"
    )
    defs = {name: _untitled(body, top=True) for name, body in schema.get("$defs", {}).items()}
    return {
        "title": "XpApi",
        "description": "jupyterlab-xp REST API bodies (from python/jupyterlab_xp/server/models.py)",
        "type": "object",
        "properties": {name: {"$ref": f"#/$defs/{name}"} for name in sorted(defs)},
        "additionalProperties": False,
        "$defs": defs,
    }


def _untitled(node: Any, top: bool = False) -> Any:
    """Drop pydantic's per-field titles: json-schema-to-typescript would make each a type alias."""
    if isinstance(node, dict):
        return {
            k: _untitled(v)
            for k, v in node.items()
            if top or k != "title" or not isinstance(v, str)
        }
    if isinstance(node, list):
        return [_untitled(v) for v in node]
    return node


if __name__ == "__main__":
    print(json.dumps(api_schema(), indent=2, sort_keys=True))
