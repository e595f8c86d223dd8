"""What the docs site generates at build time (called from conf.py): tutorials, REST, magics."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

VERBS = ("get", "post", "put", "patch", "delete")


def tutorials(examples: Path, out: Path, home: Path) -> None:
    """Execute every example notebook as tests/test_examples.py does, into ``out``."""
    from test_examples import EXPECTED, Expected

    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "JPY_"))}
    env.update(PYTHONHASHSEED="0", MLFLOW_DISABLE_TELEMETRY="true")
    running = []
    # All at once: most of an example's time is a kernel starting and importing MLflow/torch.
    for notebook in sorted(examples.glob("*.ipynb")):
        work = home / notebook.stem
        work.mkdir()
        command = [sys.executable, "-m", "papermill", str(notebook), str(out / notebook.name)]
        command += ["--cwd", str(work), "--no-progress-bar"]
        for name, value in EXPECTED.get(notebook.name, Expected()).parameters.items():
            command += ["-p", name, str(value)]
        log = (home / f"{notebook.stem}.log").open("w+")
        process = subprocess.Popen(
            command,
            env={**env, "XP_HOME": str(work / "xp"), "XP_NOTEBOOK": str(notebook)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        running.append((notebook, process, log))
    failed = []
    for notebook, process, log in running:
        if process.wait(timeout=900) != 0:
            log.seek(0)
            failed.append(f"examples/{notebook.name} failed:\n{log.read()[-3000:]}")
        log.close()
    if failed:
        raise RuntimeError("\n".join(failed))


def _routes() -> list[tuple[str, type]]:
    from jupyterlab_xp.server.app import XpExtensionApp

    class Table:  # initialize_handlers only extends self.handlers
        def __init__(self) -> None:
            self.handlers: list[tuple[str, type]] = []

    table = Table()
    XpExtensionApp.initialize_handlers(table)  # type: ignore[arg-type]
    return table.handlers


def _openapi_path(pattern: str) -> tuple[str, list[str]]:
    """``/ns/runs/(?P<run_id>[0-9a-f]+)`` to ``/ns/runs/{run_id}`` and its parameter names."""
    names: list[str] = []
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("(?P<", i):
            end = pattern.index(">", i)
            names.append(pattern[i + 4 : end])
            depth, j = 1, end + 1
            while depth:
                depth += {"(": 1, ")": -1}.get(pattern[j], 0) if pattern[j - 1] != "\\" else 0
                j += 1
            out += "{" + names[-1] + "}"
            i = j
        else:
            out += pattern[i]
            i += 1
    return out, names


def openapi() -> dict[str, Any]:
    """An OpenAPI 3.1 document: every route and verb, and every body model's JSON schema."""
    from jupyterlab_xp.core.version import version
    from jupyterlab_xp.server.schema import api_schema

    paths: dict[str, Any] = {}
    for pattern, handler in _routes():
        path, names = _openapi_path(pattern)
        for verb in VERBS:
            method = getattr(handler, verb, None)
            if method is None or not any(
                verb in k.__dict__
                for k in handler.__mro__[:-1]
                if k.__module__.startswith("jupyterlab_xp")
            ):
                continue
            doc = (method.__doc__ or handler.__doc__ or "").strip()
            paths.setdefault(path, {})[verb] = {
                "summary": " ".join(doc.split("\n\n")[0].split()),
                "description": doc,
                "operationId": f"{handler.__name__}.{verb}",
                "parameters": [
                    {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                    for n in names
                ],
                "responses": {"200": {"description": "OK"}, "400": {"description": "bad input"}},
            }
    schemas = json.loads(
        json.dumps(api_schema()["$defs"]).replace('"#/$defs/', '"#/components/schemas/')
    )
    return {
        "openapi": "3.1.0",
        "info": {"title": "jupyterlab-xp REST API", "version": version()},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def _type(node: dict[str, Any]) -> str:
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in node:
        return " or ".join(_type(n) for n in node["anyOf"])
    if node.get("type") == "array":
        return f"list of {_type(node.get('items', {}))}"
    if "enum" in node:
        return " \\| ".join(f"`{json.dumps(v)}`" for v in node["enum"])
    if "const" in node:
        return f"`{json.dumps(node['const'])}`"
    if node.get("type") == "object" and "additionalProperties" in node:
        extra = node["additionalProperties"]
        return f"object of {_type(extra)}" if isinstance(extra, dict) else "object"
    return str(node.get("type", "any"))


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def rest_reference(out: Path) -> None:
    """``openapi.json`` and ``rest.md`` (routes, then each body model's fields) in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    doc = openapi()
    (out / "openapi.json").write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    lines = ["## Routes", "", "| verb | path | what |", "|---|---|---|"]
    for path, verbs in doc["paths"].items():
        for verb, op in verbs.items():
            lines.append(f"| {verb.upper()} | `{path}` | {_cell(op['summary'])} |")
    lines += ["", "## Bodies", ""]
    for name, schema in sorted(doc["components"]["schemas"].items()):
        lines += [f"### {name}", "", _cell(schema.get("description", "")), ""]
        props = schema.get("properties", {})
        if props:
            lines += ["| field | type | required | meaning |", "|---|---|---|---|"]
            required = set(schema.get("required", []))
            for field, body in props.items():
                lines.append(
                    f"| `{field}` | {_type(body)} | {'yes' if field in required else ''} "
                    f"| {_cell(body.get('description', ''))} |"
                )
        elif "enum" in schema:
            lines.append(f"One of {_type(schema)}.")
        lines.append("")
    _write_if_changed(out / "rest.md", "\n".join(lines))


def magics_reference(out: Path) -> None:
    """``magics.md``: the usage of every ``%xp`` action, from the magic's own parsers."""
    from jupyterlab_xp.kernel.magics import ACTIONS, _parser

    lines = []
    for action in ACTIONS:
        usage = _parser(action).format_usage().removeprefix("usage: ").strip()
        usage = re.sub(r"\s+", " ", usage)
        lines += [f"## `%xp {action}`", "", "```text", f"%xp {usage}", "```", ""]
    out.mkdir(parents=True, exist_ok=True)
    _write_if_changed(out / "magics.md", "\n".join(lines))


def _write_if_changed(path: Path, text: str) -> None:
    # Sphinx rebuilds what changed: an unchanged page keeps its time stamp.
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
