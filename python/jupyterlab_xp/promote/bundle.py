"""The bundle's files beside the notebooks: script, params, MLproject, Dockerfile, checksums.

A bundle is self-contained: ``python script.py`` (flags or ``--config params.yaml``),
``mlflow run . --env-manager local`` and ``docker build .`` each run the promoted code with the
recorded packages, and ``metadata.json`` holds a sha256 for every other file. A notebook that
nobody recorded has no packages of its own run: its lock and Dockerfile are those of the
environment that ran the promotion, and they say so (with the Python the notebook was saved with).
"""

from __future__ import annotations

import hashlib
import json
import platform
import textwrap
from pathlib import Path
from typing import Any

import yaml

from jupyterlab_xp.core import tags
from jupyterlab_xp.promote import accelerator, trust
from jupyterlab_xp.promote.build import PlannedCell
from jupyterlab_xp.promote.source import Source

SCRIPT = "script.py"
PARAMS = "params.yaml"
LOCK = "requirements.lock"
MLPROJECT = "MLproject"
PYTHON_ENV = "python_env.yaml"
DOCKERFILE = "Dockerfile"
METADATA = "metadata.json"
NOTEBOOK = "notebook.ipynb"
# uv installs the recorded Python into a CUDA image (which has none of that version).
UV_IMAGE = "ghcr.io/astral-sh/uv:0.13.8"


def executed_name(seed: int, seeds: list[int]) -> str:
    """``executed.ipynb`` for one seed, ``executed-seed-<s>.ipynb`` for a group."""
    return "executed.ipynb" if len(seeds) == 1 else f"executed-seed-{seed}.ipynb"


def _yaml_value(value: Any) -> Any:
    """YAML holds str/int/float/bool/None/list/dict; other literals go as their Python text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, list):
        return [_yaml_value(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _yaml_value(v) for k, v in value.items()}
    return repr(value)  # a tuple, set, bytes, complex: the script parses it back


def params_yaml(params: dict[str, Any], seed: int) -> str:
    """``params.yaml``: the parameters the promoted run used, and its seed."""
    body = {name: _yaml_value(v) for name, v in params.items()}
    body["seed"] = seed
    header = "# Parameters of the promoted run: python script.py --config params.yaml\n"
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)


def script(source: Source, cells: list[PlannedCell], params: dict[str, Any], seed: int) -> str:
    """A plain Python script running ``cells`` in order, parameters as flags or a config file.

    IPython syntax (``%xp log``, ``!cmd``) is translated by IPython's own transformer into
    ``get_ipython()`` calls, served by an IPython shell that shares the script's globals.
    """
    from IPython.core.inputtransformer2 import TransformerManager

    transform = TransformerManager().transform_cell  # type: ignore[no-untyped-call]
    body: list[str] = []
    for cell in cells:
        if cell.parameters:
            body.append(f"# %% {cell.label}: parameters come from the command line (PARAMS)")
            continue
        code = transform(cell.source if cell.source.endswith("\n") else cell.source + "\n")
        body.append(f"# %% {cell.label}\n{code.rstrip()}")
    uses_ipython = any("get_ipython()" in chunk for chunk in body)
    origin = f"run {source.run_id}" if source.run_id else f"notebook {source.name}"
    link = {tags.SOURCE_RUN: source.run_id} if source.run_id else {}
    head = f'''\
        #!/usr/bin/env python
        """{source.name}: promoted from {origin} by jupyterlab-xp.

        python {SCRIPT} [--NAME VALUE ...] [--seed N] [--config {PARAMS}]
        Flags override the config file, which overrides the defaults below. A value is read as
        a Python literal unless the parameter's default is a string.
        """

        import argparse
        import ast
        import json
        import os
        import sys
        from pathlib import Path

        DEFAULTS = {params!r}
        SEED = {seed!r}


        def _value(name, text):
            if isinstance(DEFAULTS.get(name), str):
                return text
            try:
                return ast.literal_eval(text)
            except (ValueError, SyntaxError):
                return text


        def _config(path):
            text = Path(path).read_text(encoding="utf-8")
            if path.endswith(".json"):
                return json.loads(text)
            import yaml

            return yaml.safe_load(text) or {{}}


        def _parameters(argv=None):
            parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
            parser.add_argument("--config", help="a params.yaml or .json file")
            parser.add_argument("--seed", type=int, default=None, help=f"default {{SEED}}")
            for name in DEFAULTS:
                parser.add_argument(f"--{{name}}", dest=name, default=None, metavar="VALUE")
            args = parser.parse_args(argv)
            params, seed = dict(DEFAULTS), SEED
            if args.config:
                config = _config(args.config)
                unknown = set(config) - set(DEFAULTS) - {{"seed"}}
                if unknown:
                    parser.error(f"unknown parameters in {{args.config}}: {{sorted(unknown)}}")
                seed = int(config.pop("seed", seed))
                for name, value in config.items():
                    keep = isinstance(value, str) and not isinstance(DEFAULTS[name], str)
                    params[name] = _value(name, value) if keep else value
            for name in DEFAULTS:
                if getattr(args, name) is not None:
                    params[name] = _value(name, getattr(args, name))
            return params, seed if args.seed is None else args.seed


        PARAMS, _SEED = _parameters()
        globals().update(PARAMS)
        # %xp start takes this run's seed and links it to the run it was promoted from.
        os.environ["XP_PROMOTION"] = json.dumps(
            {{"seed": _SEED, "kind": "script", "tags": {link!r}}}
        )
        '''
    ipython = """\
        from IPython.core.interactiveshell import InteractiveShell

        get_ipython = InteractiveShell.instance(user_module=sys.modules[__name__]).get_ipython
        """
    parts = [textwrap.dedent(head)]
    if uses_ipython:
        parts.append(textwrap.dedent(ipython))
    parts.append("\n\n".join(body) + "\n")
    return "\n".join(parts)


def mlproject(source: Source, params: dict[str, Any], seed: int) -> str:
    """``MLproject``: ``mlflow run`` runs the script with these parameters."""
    entry: dict[str, Any] = {
        "config": {"type": "string", "default": PARAMS},
        "seed": {"type": "string", "default": str(seed)},
    }
    flags = ["python", SCRIPT, "--config", "{config}", "--seed", "{seed}"]
    for name, value in params.items():
        entry[name] = {
            "type": "string",
            "default": value if isinstance(value, str) else repr(value),
        }
        flags += [f"--{name}", "{" + name + "}"]
    body = {
        "name": source.name,
        "python_env": PYTHON_ENV,
        "entry_points": {"main": {"parameters": entry, "command": " ".join(flags)}},
    }
    return yaml.safe_dump(body, sort_keys=False)


def saved_python(source: Source) -> str | None:
    """The Python the notebook was saved with (``metadata.language_info.version``), checked."""
    info = ((source.notebook or {}).get("metadata") or {}).get("language_info") or {}
    return trust.python_version(info.get("version") if isinstance(info, dict) else None)[0]


def python_versions(source: Source) -> dict[str, str | None]:
    """The recorded run's Python, the notebook's saved one and this machine's, side by side."""
    return {
        "recorded": trust.python_version(source.python)[0],
        "saved_with": saved_python(source),
        "today": platform.python_version(),
    }


def python_version(source: Source) -> str:
    """The recorded Python when it is ``X.Y[.Z]`` (checked again here), else this machine's."""
    return trust.python_version(source.python)[0] or platform.python_version()


def python_env(source: Source) -> str:
    """``python_env.yaml`` for MLflow's virtualenv manager: the recorded Python and lock."""
    body = {
        "python": python_version(source),
        "build_dependencies": ["pip"],
        "dependencies": [f"-r {LOCK}"],
    }
    return yaml.safe_dump(body, sort_keys=False)


def dockerfile(source: Source) -> str:
    """A Dockerfile pinned to the recorded Python version and package lock.

    A lock whose PyTorch pins name a CUDA build (``+cu128``) gets that CUDA version's official
    runtime image, with the recorded Python installed into it; any other lock ``python:X.Y-slim``.
    """
    python = python_version(source)
    if source.lock:
        about = "on the Python and packages its source run recorded."
    else:
        saved = saved_python(source)
        about = "on the Python and packages that ran the promotion (the notebook recorded none" + (
            f"; it was saved with Python {saved})." if saved else ")."
        )
    build = accelerator.build_of(lock_pins(lock_text(source)))
    image = build.cuda_image if build else None
    if image is None:
        base = f"FROM python:{python}-slim\n"
    else:
        base = (
            f"# PyTorch's CUDA {build.version if build else ''} build: that CUDA's runtime image, "
            f"with Python {python} (run with --gpus all).\n"
            f"FROM {image}\n"
            f"COPY --from={UV_IMAGE} /uv /usr/local/bin/uv\n"
            "ENV UV_PYTHON_INSTALL_DIR=/opt/python PATH=/opt/venv/bin:$PATH\n"
            f"RUN uv venv --seed --python {python} /opt/venv\n"
        )
    return (
        f"# {source.name}: the promoted run, {about}\n"
        f"# docker build -t {source.name.lower()} . && docker run --rm {source.name.lower()}\n"
        + base
        + textwrap.dedent(
            f"""\
            ENV PYTHONHASHSEED=0 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
            WORKDIR /app
            COPY {LOCK} .
            RUN pip install -r {LOCK}
            COPY . .
            ENTRYPOINT ["python", "{SCRIPT}"]
            CMD ["--config", "{PARAMS}"]
            """
        )
    )


def lock_pins(text: str) -> list[str]:
    """The ``name==version`` lines of a lock text (comments and options left out)."""
    return [line for line in text.splitlines() if line and not line.startswith(("#", "-"))]


def with_index(text: str) -> str:
    """``text`` with PyTorch's index of its build, when its pins name one (after the header).

    Without it ``pip install -r`` cannot find ``torch==X+cu128``: only that index serves it.
    """
    options = accelerator.index_options(lock_pins(text))
    if not options:
        return text
    lines = text.splitlines(keepends=True)
    header = 0
    while header < len(lines) and lines[header].startswith("#"):
        header += 1
    return "".join([*lines[:header], " ".join(options) + "\n", *lines[header:]])


def lock_text(source: Source) -> str:
    """The source run's package lock, or this environment's for a notebook never recorded.

    A recorded lock is only ever its checked ``name==version`` pins (:func:`trust.package_lock`).
    """
    if source.lock:
        return with_index(trust.package_lock(source.lock)[0] or "")
    from jupyterlab_xp.capture.environment import installed_packages, requirements_lock

    saved = saved_python(source)
    header = (
        "# Not a recorded run's packages: the notebook recorded none. These are the packages of\n"
        f"# the environment that ran the promotion (Python {platform.python_version()})"
        + (f"; the notebook was saved with Python {saved}" if saved else "")
        + ".\n"
    )
    # requirements_lock's own header speaks of a recorded run: this one is not.
    pins = requirements_lock(installed_packages()).splitlines(keepends=True)
    return with_index(
        header + "".join(p for p in pins if not p.startswith("# Exact packages of the recorded"))
    )


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_metadata(folder: Path, body: dict[str, Any]) -> dict[str, Any]:
    """``metadata.json``: ``body`` plus the sha256 of every other file in the bundle."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != METADATA)
    body = {**body, "files": {p.relative_to(folder).as_posix(): sha256_file(p) for p in files}}
    (folder / METADATA).write_text(json.dumps(body, indent=2, default=str) + "\n")
    return body
