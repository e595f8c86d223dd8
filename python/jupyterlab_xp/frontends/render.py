"""Text renderings of runs, comparisons and promotions, shared by the CLI and the %xp magic."""

from __future__ import annotations

import time
from typing import Any

from jupyterlab_xp.frontends.render_datasets import render_datasets
from jupyterlab_xp.frontends.render_env import render_used
from jupyterlab_xp.frontends.render_verdict import render_time_went
from jupyterlab_xp.frontends.render_verify import render_cells, render_order, render_verification


def when(ms: int | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ms / 1000)) if ms else "-"


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
    )


def render_compare(body: dict[str, Any], show_all: bool = False) -> str:
    """The text form of :func:`~jupyterlab_xp.views.compare.compare_runs` (only differences by
    default)."""
    runs = body["runs"]
    header = ["", *[f"{r['run_id'][:8]} {r['name'] or ''}"[:28] for r in runs]]
    out: list[str] = []

    def section(title: str, rows: list[list[str]]) -> None:
        out.append(f"\n{title}")
        out.append(table([header, *rows]) if rows else "  (no differences)")

    def cell(value: Any) -> str:
        if value is None:
            return "-"
        return f"{value:.6g}" if isinstance(value, float) else str(value)

    for title in ("params", "metrics", "hardware", "git", "environment"):
        rows = [
            [r["key"], *map(cell, r["values"])] for r in body[title] if show_all or r["differs"]
        ]
        section(title, rows)
    packages = [
        [p["name"], *map(cell, p["versions"])]
        for p in body["packages"]
        if show_all or p["change"] != "same"
    ]
    section("packages", packages)
    out.append("\nexecuted code")
    for diff in body["cells"]:
        if diff["identical"]:
            out.append(f"  {diff['run_id'][:8]}: same code as {runs[0]['run_id'][:8]}")
        else:
            out.append(diff["diff"])
    out += render_seed_stats(body)
    out += render_paired(body)
    return "\n".join(out).lstrip("\n")


def sig(value: float | None, digits: int = 4) -> str:
    """A statistic to ``digits`` significant digits (0.006395, 12.35, 1.235e+05); None as -."""
    return "-" if value is None else f"{value:.{digits}g}"


def p_text(value: float | None) -> str:
    """A p-value: three significant digits, or <0.001."""
    if value is None:
        return "-"
    return "<0.001" if value < 0.001 else f"{value:.3g}"


INTERVALS = {"t": "t", "none": "no interval"}
CORRECTION_NAMES = {"holm": "Holm", "bh": "Benjamini-Hochberg"}


def family_size(body: dict[str, Any]) -> int:
    """How many p-values were adjusted together: group tests and paired tests with a p."""
    paired = sum(p.get("p_value") is not None for p in body.get("paired_tests", []))
    return body.get("family_size") or len(body["group_tests"]) + paired


def effect_text(value: float | None, low: float | None, high: float | None) -> str:
    """An effect size with its 95 % interval: ``0.912 [-0.41, 2.2]``."""
    interval = f" [{sig(low, 2)}, {sig(high, 2)}]" if low is not None and high is not None else ""
    return f"{sig(value, 3)}{interval}"


def left_out_lines(body: dict[str, Any]) -> list[str]:
    """The metrics left out of a test between two groups, grouped by the reason."""
    by_reason: dict[str, list[str]] = {}
    for row in body.get("left_out", []):
        sides = f"{row['group_b']} vs {row['group_a']}"
        by_reason.setdefault(row["reason"], []).append(f"{row['key']} ({sides})")
    return [f"  not tested, {reason}: {', '.join(keys)}" for reason, keys in by_reason.items()]


def render_seed_stats(body: dict[str, Any]) -> list[str]:
    """The seed groups (mean ± std, 95 % interval and its method) and the corrected tests."""
    out = ["\nacross seeds (mean ± std, 95% Student's t interval of the mean)"]
    for group in body["seed_groups"]:
        out.append(f"  {group['label']} ({len(group['run_ids'])} runs)")
        if group.get("warning"):
            out.append(f"    ! {group['warning']}")
        for m in group["metrics"]:
            interval = (
                f"[{sig(m['ci_low'])}, {sig(m['ci_high'])}] {INTERVALS[m['interval']]}"
                if m["ci_low"] is not None
                else "no interval"
            )
            notes = [f"n={m['n']}"]
            if m["non_finite"]:
                notes.append(f"{m['non_finite']} NaN/inf left out")
            if not m["tested"]:
                notes.append("not tested")
            spread = f"{sig(m['mean'])} ± {sig(m['std'])}"
            out.append(f"    {m['key']}: {spread} {interval} ({', '.join(notes)})")
    tests = body["group_tests"]
    if not tests:
        if len(body["seed_groups"]) > 1:
            out.append("  no tests between groups: each side needs at least 2 runs with the metric")
        out += left_out_lines(body)
        return out
    method = CORRECTION_NAMES[body["correction"]]
    out.append(
        f"\nbetween groups (exact permutation test and Welch's t-test; the larger p decides, "
        f"adjusted by {method} over {family_size(body)} tests; distinguishable: below "
        f"{body['alpha']:g}; g: Hedges' g [95%])"
    )
    for test in tests:
        welch = (
            f"t={sig(test['welch_t'])} df={sig(test['welch_df'], 3)} "
            if test["welch_t"] is not None
            else "no spread "
        )
        exact = "exact " if test["permutation_exact"] else ""
        difference = test["mean_difference"]
        g = effect_text(test.get("hedges_g"), test.get("effect_ci_low"), test.get("effect_ci_high"))
        out.append(
            f"  {test['key']}: {test['group_b']} - {test['group_a']} = "
            f"{'-' if difference is None else f'{difference:+.4g}'}, g={g}; "
            f"Welch {welch}p={p_text(test['welch_p'])}; "
            f"{exact}permutation p={p_text(test['permutation_p'])}; "
            f"p={p_text(test['p_value'])} (adj {p_text(test['p_adjusted'])}): {test['decision']}"
        )
        out.append(f"    {test['reason']}")
        if test.get("warning"):
            out.append(f"    ! {test['warning']}")
    out += left_out_lines(body)
    if body["untested_metrics"]:
        out.append(f"  not tested (system metrics): {', '.join(body['untested_metrics'])}")
    return out


def render_paired(body: dict[str, Any]) -> list[str]:
    """The paired tests: runs or groups with predictions on the same ids, per example."""
    rows, notes = body.get("paired_tests", []), body.get("paired_notes", [])
    if not rows and not notes:
        return []
    out = [
        "\npaired, on the same examples (two runs: example by example, 95% t interval of "
        "b - a, d_z; two seed groups: each run's metric as one value, Hedges' g; p adjusted "
        "with the tests above as one family)"
    ]
    for row in rows:
        interval = f"[{sig(row['ci_low'])}, {sig(row['ci_high'])}]"
        mcnemar = ""
        if row["mcnemar_p"] is not None:
            exact = "exact " if row["mcnemar_exact"] else ""
            mcnemar = (
                f"; {exact}McNemar p={p_text(row['mcnemar_p'])} "
                f"({row['a_only']} only a right, {row['b_only']} only b right)"
            )
        effect = effect_text(row["effect_size"], row["effect_ci_low"], row["effect_ci_high"])
        name = "d_z" if row["runs_a"] == row["runs_b"] == 1 else "g"
        out.append(
            f"  {row['key']}: {row['group_b']} - {row['group_a']} = {sig(row['difference'])} "
            f"{interval} over {row['n_examples']} examples, {name}={effect}{mcnemar}; "
            f"test: {row['test']}, p={p_text(row['p_value'])} "
            f"(adj {p_text(row.get('p_adjusted'))}): {row['decision']}"
        )
        out.append(f"    {row['reason']}")
        if row.get("warning"):
            out.append(f"    ! {row['warning']}")
    out += [f"  ! {note}" for note in notes]
    return out


def render_promotion(job: dict[str, Any]) -> str:
    """The text form of a promotion's outcome."""
    out = [
        f"promotion {job['id']}: {job['state']}" + (f" ({job['error']})" if job["error"] else "")
    ]
    for run in job["runs"]:
        check = run.get("verification") or {}
        verdict = check.get("verdict") or "-"
        out.append(
            f"  seed {run['seed']}: run {run['run_id'] or '-'} {run['status'] or '-'}, "
            f"verdict {verdict}" + (f"  {run['error']}" if run.get("error") else "")
        )
        for diff in (check.get("largest") or [])[:3]:
            out.append(f"    {diff['key']}: source {diff['source']} promoted {diff['promoted']}")
        outputs = check.get("outputs")
        if outputs:
            out.append(
                f"    outputs: {outputs['matched']}/{outputs['compared']} cells match"
                + (
                    f"; differ: {', '.join(outputs['mismatched'][:5])}"
                    if outputs["mismatched"]
                    else ""
                )
            )
            out += [f"    {line}" for line in render_cells(outputs)]
    out += render_order(job.get("order_repair"))
    if job["bundle"]:
        out.append(f"bundle  {job['bundle']}")
    out += render_used(job.get("environment"), job["verdict"])
    if job["verdict"]:
        out.append(f"verdict {job['verdict']}")
    return "\n".join(out)


def render_detail(d: dict[str, Any]) -> str:  # noqa: C901, PLR0912, PLR0915  # one section per field
    """The text form of :func:`jupyterlab_xp.views.runview.run_detail`."""
    out = [
        f"run         {d['run_id']}  {d['name'] or ''}",
        f"experiment  {d['experiment']}",
        f"status      {d['status']}  ({d['kind'] or 'unknown kind'})",
        f"started     {when(d['start_time'])}   duration {d['duration'] or '-'} s",
        f"notebook    {d['notebook'] or '-'}",
    ]
    if d.get("died_in_cell"):
        out.append(f"died in     {d['died_in_cell']}")
    for field, reason in sorted((d.get("unreadable") or {}).items()):
        out.append(f"unreadable  {field}: {reason}")
    redacted = d.get("redactions") or {}
    if redacted.get("count"):
        places = [f"{p['where']} {p['field']}" for p in redacted.get("places") or []]
        listed = f" ({', '.join(places[:6])}{', ...' if len(places) > 6 else ''})" if places else ""
        out.append(f"redacted    {redacted['count']} value(s) on the way to the store{listed}")
    if d.get("sync_refused"):
        out.append(
            f"refused     {d['sync_refused']} record(s) by the store "
            "(kept in refused.jsonl on the recording machine)"
        )
    if d.get("source_run_id"):
        verdict = (d.get("verification") or {}).get("verdict", "not verified")
        out.append(f"promoted    from run {d['source_run_id']}: {verdict}")
    if d.get("verification"):
        try:  # verify.json is read from the store: a hostile one costs this section only
            out += ["", *render_verification(d["verification"]), ""]
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            out.append(f"unreadable  verification: {type(exc).__name__}")
    if d.get("promoted_runs"):
        verdict = d["tags"].get("xp.promoted.verdict", "-")
        out.append(f"promoted to {', '.join(d['promoted_runs'])} (latest verdict: {verdict})")
    out.append("\nparams")
    out += [f"  {k} = {v}" for k, v in sorted(d["params"].items())] or ["  (none)"]
    out.append("\nmetrics (latest)")
    out += [f"  {k} = {v:.6g}" for k, v in sorted(d["metrics"].items())] or ["  (none)"]
    seeds = d.get("seeds") or {}
    out.append("\nseeds")
    out.append(
        f"  root seed {seeds.get('seed')} ({seeds.get('seed_source')}), "
        f"PYTHONHASHSEED={seeds.get('pythonhashseed') or 'unset'}"
    )
    for lib, state in sorted((seeds.get("libraries") or {}).items()):
        out.append(f"  {lib}: {state}")
    for call in seeds.get("user_calls") or []:
        out.append(
            f"  user call in cell #{call.get('cell')}: {call['fn']}({', '.join(call['args'])})"
        )
    env = d.get("environment") or {}
    out.append("\nenvironment")
    py = env.get("python") or {}
    plat = env.get("platform") or {}
    out.append(
        f"  python {py.get('version', '?')} on {plat.get('system', '?')} "
        f"{plat.get('release', '')} {plat.get('machine', '')}"
    )
    out.append(
        f"  {len(env.get('packages') or [])} packages; container: {env.get('container') or 'none'}"
    )
    hw = d.get("hardware") or {}
    cpu = hw.get("cpu") or {}
    out.append("\nhardware")
    out.append(f"  cpu {cpu.get('model', '?')} ({cpu.get('logical_cores', '?')} logical cores)")
    gpus = hw.get("gpus") or []
    out += [f"  gpu{g.get('index')}: {g.get('name')}" for g in gpus] or ["  no GPU"]
    repo = (d.get("git") or {}).get("repository") or {}
    out.append("\ngit")
    if repo:
        out.append(
            f"  {repo.get('commit')} on {repo.get('branch') or '(detached)'}"
            f"{' (dirty)' if repo.get('dirty') else ''}  {repo.get('remote_url') or ''}"
        )
    else:
        out.append("  not in a git repository")
    order = d.get("order") or {}
    if order:
        state = {True: "linear", False: "NOT linear", None: "unknown"}[order.get("linear")]
        out.append(f"\norder: {state}")
        out += [f"  {reason}" for reason in order.get("reasons", [])]
    if d.get("checkpoints"):
        out.append("\ncheckpoints")
        for c in d["checkpoints"]:
            step = "-" if c["step"] is None else c["step"]
            out.append(
                f"  {c['name']} v{c['version']}  step {step}  {c['size']:,} bytes  "
                f"sha256 {c['sha256'][:12]}  "
                f'xp.load_checkpoint("{d["run_id"]}:{c["name"]}:{c["version"]}")'
            )
    out.append("\ncells")
    for c in d["cells_journal"]:
        first = next((ln for ln in c.get("source", "").splitlines() if ln.strip()), "")
        dur = f"{c['duration']:.3f}s" if c.get("duration") is not None else "-"
        err = f"  {c['error_name']}: {c['error_value']}" if c.get("error_name") else ""
        out.append(
            f"  #{c['seq']:<3} [{c.get('execution_count') or ' '}] {c['status']:<7} "
            f"{dur:>9}  {first[:60]}{err}"
        )
    if not d["cells_journal"]:
        out.append("  (no cells recorded)")
    out += render_datasets(d)
    out += render_time_went(d)
    return "\n".join(out)
