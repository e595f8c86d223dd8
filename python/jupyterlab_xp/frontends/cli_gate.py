"""``jupyter xp gate``: pass, fail or inconclusive for CI (exit 0, 1 or 2), in four forms.

``jupyter xp gate --baseline SEL --candidate SEL --metric M [--metric M2 ...]
[--direction maximize|minimize ...] [--min-effect X] [--correction holm|bh]
[--require-better] [--experiment E] [--json | --markdown | --junit]``

A selection (SEL) is run ids or unique prefixes, comma-separated (``a1b2,c3d4``); a seed group
(``params.width=16``, several joined by commas); or an MLflow filter (``filter:...``).
"""

from __future__ import annotations

import argparse
import json
from typing import Any
from xml.etree import ElementTree as ET

from jupyterlab_xp.frontends.render import table
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.views.gate import DIRECTIONS, gate
from jupyterlab_xp.views.stats import CORRECTIONS

FORMATS = ("text", "json", "markdown", "junit")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``gate`` in ``jupyter xp``'s parser."""
    p = sub.add_parser(
        "gate",
        help="decide whether a candidate seed group is worse than a baseline beyond seed noise "
        "(exit 0 pass, 1 fail, 2 inconclusive)",
        description=__doc__.split("\n\n", 1)[1].replace("``", "") if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--baseline", required=True, metavar="SEL", help="the baseline's runs")
    p.add_argument("--candidate", required=True, metavar="SEL", help="the candidate's runs")
    p.add_argument(
        "--metric", action="append", required=True, help="the metric to gate (repeatable)"
    )
    add_decision_options(p)
    p.add_argument(
        "--require-better",
        action="store_true",
        help="pass only when the candidate is better beyond seed noise (and --min-effect)",
    )
    p.add_argument("--experiment", "-e", action="append", help="select in this experiment only")
    out = p.add_mutually_exclusive_group()
    for name in FORMATS[1:]:
        out.add_argument(f"--{name}", action="store_true", help=f"print {name}")


def add_decision_options(p: argparse.ArgumentParser) -> None:
    """How a gate decides: ``--direction``, ``--min-effect``, ``--correction`` (also used by
    ``jupyter xp register --alias production``)."""
    p.add_argument(
        "--direction",
        action="append",
        choices=DIRECTIONS,
        help="better is higher (maximize) or lower (minimize); one, or one per --metric "
        "(default: minimize for loss- and error-like names, else maximize)",
    )
    p.add_argument(
        "--min-effect",
        type=float,
        default=0.0,
        help="a worse candidate fails only when worse by more than this (default 0)",
    )
    p.add_argument("--correction", choices=CORRECTIONS, default="holm")


def cmd_gate(store: MlflowStore, args: argparse.Namespace) -> int:
    """Decide and print; the exit code is the decision's (0 pass, 1 fail, 2 inconclusive)."""
    body = gate(
        store,
        args.baseline,
        args.candidate,
        args.metric,
        args.experiment,
        directions=args.direction,
        min_effect=args.min_effect,
        correction=args.correction,
        require_better=args.require_better,
    )
    if args.json:
        print(json.dumps(body, indent=2))
    elif args.markdown:
        print(render_markdown(body))
    elif args.junit:
        print(render_junit(body))
    else:
        print(render_text(body))
    return int(body["exit_code"])


def _tests(body: dict[str, Any]) -> str:
    n = len(body["metrics"])
    return f"{n} test" if n == 1 else f"{n} tests"


def _number(value: Any) -> str:
    return "-" if value is None else f"{value:.4g}"


def _rows(body: dict[str, Any]) -> list[list[str]]:
    return [
        [
            m["metric"],
            m["direction"],
            f"{_number(m['mean_baseline'])} (n={m['n_baseline']})",
            f"{_number(m['mean_candidate'])} (n={m['n_candidate']})",
            _number(m["difference"]),
            _number(m["p_adjusted"]),
            m["decision"],
        ]
        for m in body["metrics"]
    ]


HEADER = ["metric", "better", "baseline", "candidate", "difference", "adj. p", "decision"]


def render_text(body: dict[str, Any]) -> str:
    """The decision, the table and why, for a terminal."""
    lines = [
        f"gate: {body['decision'].upper()}",
        f"baseline  {body['baseline']['selection']}: {len(body['baseline']['run_ids'])} runs",
        f"candidate {body['candidate']['selection']}: {len(body['candidate']['run_ids'])} runs",
        "",
        table([HEADER, *_rows(body)]),
        "",
    ]
    lines += [f"{m['metric']}: {m['why']}" for m in body["metrics"]]
    lines += [f"warning: {w}" for w in body["warnings"]]
    lines.append(f"p-values corrected by {body['correction']} over {_tests(body)}")
    return "\n".join(lines)


def _md_cell(text: str) -> str:
    """A Markdown table cell: pipes escaped, one line (selections and names are user text)."""
    return " ".join(str(text).split()).replace("\\", "\\\\").replace("|", "\\|")


def render_markdown(body: dict[str, Any]) -> str:
    """A pull-request comment: the decision, the table, why."""
    icon = {"pass": "✅", "fail": "❌", "inconclusive": "⚠️"}[body["decision"]]
    lines = [
        f"### {icon} jupyter xp gate: **{body['decision']}**",
        "",
        f"Baseline `{_md_cell(body['baseline']['selection'])}`"
        f" ({len(body['baseline']['run_ids'])} runs) against candidate"
        f" `{_md_cell(body['candidate']['selection'])}`"
        f" ({len(body['candidate']['run_ids'])} runs).",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
    ]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in _rows(body)]
    lines.append("")
    lines += [f"- **{_md_cell(m['metric'])}**: {_md_cell(m['why'])}" for m in body["metrics"]]
    lines += [f"- ⚠️ {_md_cell(w)}" for w in body["warnings"]]
    lines.append(
        f"\np-values corrected by {body['correction']} over {_tests(body)}, alpha {body['alpha']}."
    )
    return "\n".join(lines)


def render_junit(body: dict[str, Any]) -> str:
    """JUnit XML: one test case per metric; fail is a failure, inconclusive is skipped."""
    metrics = body["metrics"]
    suite = ET.Element(
        "testsuite",
        name="jupyter xp gate",
        tests=str(len(metrics)),
        failures=str(sum(m["decision"] == "fail" for m in metrics)),
        skipped=str(sum(m["decision"] == "inconclusive" for m in metrics)),
    )
    for m in metrics:
        case = ET.SubElement(suite, "testcase", classname="xp.gate", name=m["metric"])
        if m["decision"] == "fail":
            ET.SubElement(case, "failure", message=m["why"])
        elif m["decision"] == "inconclusive":
            ET.SubElement(case, "skipped", message=m["why"])
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)
