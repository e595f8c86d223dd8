"""The datasets section of ``jupyter xp show``: each declared dataset and its provenance."""

from __future__ import annotations

from typing import Any


def _dvc_line(dvc: dict[str, Any]) -> str:
    where = dvc.get("pointer") or "?"
    if dvc.get("stage"):
        where += f" stage {dvc['stage']}"
    git = dvc.get("git") or {}
    commit = git.get("commit")
    revision = f"git {commit[:12]} ({git.get('status')})" if commit else f"git {git.get('status')}"
    remote = dvc.get("remote")
    remote_text = (
        f"remote {remote} {dvc.get('remote_url') or ''}".rstrip() if remote else "no remote"
    )
    hashed = f"{dvc.get('hash_name') or 'hash'} {dvc.get('hash')}"
    if dvc.get("hash") is None and dvc.get("note"):  # a dvc.yaml output never locked
        hashed = str(dvc["note"])
    return f"    dvc {where}: {hashed}  {revision}  {remote_text}"


def _hub_line(hub: dict[str, Any]) -> str:
    rows = ", ".join(f"{name} {count:,}" for name, count in (hub.get("splits") or {}).items())
    where = f"hub {hub.get('repo')}@{hub.get('revision')}" if hub.get("revision") else "local"
    pinned = {True: "pinned", False: "NOT pinned", None: "pin unknown"}[hub.get("pinned")]
    pin = f" ({pinned})" if hub.get("revision") else ""
    return f"    datasets {where}{pin}  config {hub.get('config_name') or '-'}  rows: {rows or '-'}"


def render_datasets(detail: dict[str, Any]) -> list[str]:
    """Lines for a run detail's ``datasets`` (none when the run declared none)."""
    datasets = detail.get("datasets") or []
    if not datasets:
        return []
    out = ["\ndatasets"]
    for data in datasets:
        checksum = data.get("sha256") or data.get("digest") or "-"
        out.append(
            f"  {data['name']} ({data.get('context') or 'no context'})  "
            f"{data.get('source_type')} sha256 {checksum[:16]}  {data.get('uri') or ''}".rstrip()
        )
        card = data.get("card")
        if card:
            licensed = f"  license {card['license']}" if card.get("license") else ""
            out.append(f"    data card {card.get('kind')} {card.get('path')}  "
                       f"sha256 {(card.get('sha256') or '-')[:16]}{licensed}")  # fmt: skip
        elif data.get("card_note"):
            out.append(f"    data card {data['card_note']}")
        elif data.get("card_checked"):
            out.append("    no data card")
        if data.get("hf"):
            out.append(_hub_line(data["hf"]))
        if data.get("dvc"):
            out.append(_dvc_line(data["dvc"]))
            if data["dvc"].get("error"):
                out.append(f"    dvc: {data['dvc']['error']}")
    return out
