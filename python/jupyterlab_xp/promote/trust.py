"""Checks on what a promotion reads back from the store, before it reaches a path, file or command.

On a team server whoever can write a run's tags and artifacts decides what they hold, so nothing
read from the store is trusted: the Python version must be ``X.Y[.Z]``, the notebook path is
confined like a path sent by a browser (else the job runs in a fresh folder), the package lock
keeps plain ``name==version`` pins only (strict PEP 440 versions, none that pip could read as
an archive's file name), and labels become one printable line. A value that
fails is left out, and a one-line note says what and why; the notes are shown with the plan (the
Promote dialog, ``jupyter xp promote --dry-run``) and kept in the bundle's ``metadata.json``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.paths import confine_notebook

_PYTHON = re.compile(r"[1-9][0-9]?\.[0-9]{1,3}(\.[0-9]{1,3})?", re.ASCII)
# PEP 508 names; versions in a shape PEP 440 allows and a shell, a Dockerfile and pip read as one
# word (no spaces, quotes, semicolons, slashes, ``@`` or wildcards).
_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,98}[A-Za-z0-9])?", re.ASCII)
_VERSION = re.compile(r"[0-9][A-Za-z0-9.+!_-]{0,63}", re.ASCII)
MAX_PINS = 10_000
# The parts of pip's archive suffixes (.tar.gz, .whl, .zip, .tbz, ...): none is a local version.
_ARCHIVE_PARTS = frozenset(
    {"zip", "whl", "tar", "gz", "tgz", "bz2", "tbz", "xz", "txz", "lz", "tlz", "lzma", "egg"}
)
MAX_HASHSEED = 2**32 - 1


def shown(value: object, limit: int = 80) -> str:
    """``value`` for a message: its ``repr`` (control characters escaped), capped."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def one_line(text: str, limit: int = 200) -> str:
    """``text`` as one printable line (a label written into a comment of the script)."""
    flat = "".join(c if c.isprintable() else " " for c in text)
    return flat[:limit]


def python_version(value: object) -> tuple[str | None, str | None]:
    """The recorded Python version when it is ``X.Y[.Z]``, else None and a note."""
    if value is None or value == "":
        return None, None
    if isinstance(value, str) and _PYTHON.fullmatch(value):
        return value, None
    return None, (
        f"the recorded Python version {shown(value)} is not X.Y[.Z]: the bundle's Dockerfile "
        "and python_env.yaml use this machine's Python instead"
    )


def pythonhashseed(value: object) -> str | None:
    """The recorded ``PYTHONHASHSEED`` when it is a number Python accepts (else None)."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        return value if int(value) <= MAX_HASHSEED else None
    return None


def seed(value: object) -> int | None:
    """The recorded root seed when it is an integer from 0 to 2**32-1 (else None)."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        return int(value) if int(value) < 2**32 else None
    return None


def pin(line: str) -> str | None:
    """``name==version`` rebuilt from ``line`` when that is all it says, else None.

    No URLs (``foo @ file:///etc``), options (``--index-url``), markers, extras or other
    specifiers: what is written is rebuilt from the checked name and version, never copied.
    """
    text = line.strip()
    if not text.isascii() or not text.isprintable() or len(text) > 300:
        return None
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return None
    specifiers = list(requirement.specifier)
    if requirement.url or requirement.marker or requirement.extras or len(specifiers) != 1:
        return None
    operator, version = specifiers[0].operator, specifiers[0].version
    if operator != "==" or not _NAME.fullmatch(requirement.name):
        return None
    checked = strict_version(version)
    return f"{requirement.name}=={checked}" if checked else None


def strict_version(text: str) -> str | None:
    """``text`` as a strict PEP 440 version (normalised), or None.

    None also for a local segment that reads like an archive (``1.0+x.tar.gz``): pip takes
    ``name==1.0+x.tar.gz`` for a file of that name in its working folder and runs its build.
    """
    if not _VERSION.fullmatch(text):
        return None
    try:
        version = Version(text)
    except InvalidVersion:
        return None
    parts = (version.local or "").lower().split(".")
    if any(part in _ARCHIVE_PARTS for part in parts):
        return None
    return str(version)


def package_lock(text: object) -> tuple[str | None, str | None]:
    """The recorded lock reduced to checked pins (comments dropped), and a note on what was not.

    Lines are split as pip splits them (``str.splitlines``), so a line break inside a value
    makes two lines, each checked on its own.
    """
    if text is None:
        return None, None
    if not isinstance(text, str):
        return None, "the recorded package lock is not text: the bundle pins this machine's"
    pins: list[str] = []
    refused: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        checked = pin(stripped)
        if checked is None or len(pins) >= MAX_PINS:
            refused.append(stripped)
        else:
            pins.append(checked)
    header = "# Packages of the source run: its lock's name==version pins, checked (jupyterlab-xp)."
    if refused:
        header += (
            f"\n# {len(refused)} line(s) of the recorded lock were left out: "
            "not plain name==version pins."
        )
    lock = "\n".join([header, *pins]) + "\n"
    if not refused:
        return lock, None
    listed = ", ".join(shown(r, 60) for r in refused[:3]) + (", ..." if len(refused) > 3 else "")
    return lock, (
        f"{len(refused)} line(s) of the recorded package lock left out of requirements.lock "
        f"and the Dockerfile, as they are not plain name==version pins: {listed}"
    )


def recorded_notebook(tag: object, root: Path | None) -> tuple[Path | None, str | None]:
    """The notebook a run recorded elsewhere names, confined to ``root``; else None and a note.

    The tag is an absolute path on the recording machine: it is used only when it names a local
    ``.ipynb`` under ``root`` with nothing that :func:`confine_notebook` refuses (``..``, hidden
    parts, control characters, a symlink out of the root).
    """
    if tag is None or tag == "":
        return None, None
    fresh = "the job runs in a fresh folder (the bundle's)"
    if not isinstance(tag, str):
        return None, f"the run's notebook path is not text: {fresh}"
    if root is None:
        return None, f"the run's notebook path {shown(tag)} is not checked here: {fresh}"
    try:
        return confined(tag, root), None
    except (XpError, LookupError) as exc:
        message = str(exc.args[0]) if exc.args else type(exc).__name__
        return None, f"the run's notebook path is not used ({message}): {fresh}"


def confined(tag: str, root: Path) -> Path:
    """The notebook ``tag`` (absolute, or relative to ``root``) names under ``root``;
    XpError (LookupError for a missing file) otherwise, as :func:`confine_notebook` says."""
    relative: str | None = tag
    if Path(tag).is_absolute():
        relative = None
        for base in dict.fromkeys((root.absolute(), root.resolve())):
            if Path(tag).is_relative_to(base):
                relative = Path(tag).relative_to(base).as_posix()
                break
    if relative is None:
        raise XpError(f"notebook {shown(tag, 120)} lies outside {shown(str(root), 120)}")
    return confine_notebook(root, relative)


def journal_notebook(tag: object) -> Path | None:
    """The notebook path this machine's journal recorded, when it still names a notebook."""
    if not isinstance(tag, str) or not tag.isprintable() or not tag.endswith(".ipynb"):
        return None
    path = Path(tag)
    return path if path.is_absolute() and path.is_file() else None


def identifier_notes(dropped: list[Any]) -> str | None:
    """A note on recorded params that are not Python identifiers (not parameters of the job)."""
    if not dropped:
        return None
    listed = ", ".join(shown(str(n), 40) for n in dropped[:5]) + (
        ", ..." if len(dropped) > 5 else ""
    )
    return (
        f"{len(dropped)} recorded param name(s) are not Python identifiers, so they are not "
        f"parameters of the job: {listed}"
    )
