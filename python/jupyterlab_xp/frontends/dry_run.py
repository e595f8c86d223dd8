"""``jupyter xp promote --dry-run``: the plan and the code a promotion would run; nothing runs.

The request is checked as a promotion would check it (parameters, seeds, order), then printed:
where the run came from (as its tags say), what of the store was not used and why, and every
cell in order, in full, with characters that could hide code shown as escapes, and every package
pin ``--env recorded`` or ``--with`` would install. No job folder, bundle or kernel is made.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jupyterlab_xp.frontends.render import when
from jupyterlab_xp.frontends.render_env import render_environment
from jupyterlab_xp.frontends.render_verify import render_order
from jupyterlab_xp.promote import build, envs, jobs, preview
from jupyterlab_xp.promote.source import Source

_CODE_FROM = {
    "journal": "this machine's journal (the exact code)",
    "store": "the store's copy (recorded elsewhere; secrets would have been redacted)",
    "notebook": "the notebook file",
}


def print_dry_run(
    src: Source, request: dict[str, Any], as_json: bool, home: Path | None = None
) -> int:
    """Check ``request`` (XpError when a promotion would refuse it), print it; exit status 0.

    ``home``: the XP home whose overlay cache says whether the environment is built already.
    """
    checked = jobs.check(src, **request)
    environment = checked["environment"]
    environment["cached"] = envs.cached(home, environment) if home else None
    plan = jobs.plan(src)
    code = preview.listing(checked["cells"], cap=False)
    # papermill's: the parameters-cell names given (a config's keys are set by xp.param(cfg))
    overrides = {
        k: checked["params"][k] for k in request.get("params") or {} if k in checked["params"]
    }
    repaired = build.auto_repair(src).as_dict() if checked["order"] == "auto" else None
    if as_json:
        plan.pop("code")
        body = {
            "dry_run": True,
            "plan": plan,
            "order": checked["order"],
            "order_repair": repaired,
            "params": {k: repr(v) for k, v in checked["params"].items()},
            "config_overrides": checked["config_overrides"],
            "seeds": checked["seeds"],
            "cell_timeout": checked["cell_timeout"],
            "tolerance": checked["tolerance"],
            "environment": environment,
            "code": code,
            "code_sha256": checked["code_sha256"],  # the code and every pin it installs
        }
        print(json.dumps(body, indent=2))
    else:
        print(render_dry_run(plan, checked, code, overrides, repaired))
    return 0


def render_dry_run(
    plan: dict[str, Any],
    checked: dict[str, Any],
    code: dict[str, Any],
    overrides: dict[str, Any],
    repaired: dict[str, Any] | None = None,
) -> str:
    """The text form: the plan, the notes, then the code cell by cell."""
    origin = plan["provenance"]
    out = ["dry run: nothing was run and nothing was written", ""]
    if plan["run_id"]:
        experiment = f" (experiment {origin['experiment']})" if origin["experiment"] else ""
        out.append(f"source      run {plan['run_id']}{experiment}")
        who = " ".join(
            part
            for part in (
                f"by {origin['user']}" if origin["user"] else "",
                f"on {origin['host']}" if origin["host"] else "",
                when(origin["recorded"]) if origin["recorded"] else "",
            )
            if part
        )
        out.append(f"recorded    {who or '-'}  (as the run's tags say)")
        out.append(f"notebook    {origin['notebook'] or '-'}  (as recorded)")
    else:
        out.append(f"source      notebook {plan['notebook']}")
    out.append(f"code from   {_CODE_FROM.get(origin['code_from'], origin['code_from'])}")
    workdir = plan["notebook"].rsplit("/", 1)[0] if plan["notebook"] else None
    out.append(
        f"runs in     {workdir} (the notebook's folder)"
        if workdir
        else "runs in     a fresh folder (the bundle's)"
    )
    verdict = plan["order_verdict"] or {}
    linear = verdict.get("linear")
    state = "linear" if linear is True else "NOT linear" if linear is False else "not judged"
    reasons = "".join(
        f"; {preview.visible(str(r), keep='')[0]}" for r in verdict.get("reasons") or []
    )
    out.append(f"order       {checked['order']}  (order verdict: {state}{reasons})")
    out += render_order(repaired)[1:]  # the auto order's repairs, sessions, cells left out
    params = ", ".join(f"{k} = {v!r}" for k, v in checked["params"].items()) or "(none)"
    out.append(f"params      {params}")
    if checked["config_overrides"]:
        config = ", ".join(f"{k} = {v!r}" for k, v in checked["config_overrides"].items())
        out.append(f"config      {config}  (set in the config the notebook records)")
    out.append(f"seeds       {', '.join(map(str, checked['seeds']))}")
    out.append(f"environment {render_environment(checked['environment'])}")
    out.append(f"bundle      {plan['name']}")
    if plan["notes"]:
        out.append("\nnotes (values read from the store and not used)")
        out += [f"  ! {note}" for note in plan["notes"]]
    pins = checked["environment"]["pins"]
    out.append(
        f"\ncode that will run: {code['total_cells']} cells in {checked['order']} order, "
        f"sha256 {checked['code_sha256']}"
        + (f" (the code and the {len(pins)} package pins above)" if pins else "")
    )
    for number, cell in enumerate(code["cells"], start=1):
        head = f"[{number}] {cell['label']}" + (" (parameters cell)" if cell["parameters"] else "")
        if cell["hidden_chars"]:
            head += f" ({cell['hidden_chars']} hidden characters shown as escapes)"
        out.append(f"\n---- {head} ----")
        out.append(cell["source"])
        if cell["parameters"] and overrides:
            injected = "; ".join(f"{k} = {v!r}" for k, v in overrides.items())
            out.append(f"---- papermill adds after it: {preview.visible(injected, keep='')[0]}")
    return "\n".join(out)
