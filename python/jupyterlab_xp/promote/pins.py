"""What a promotion's environment pins: ``--with`` specs checked, the recorded lock's diff.

A ``--with`` spec is only ``name[extras] specifier`` (PEP 508 without a URL or a marker): it is
parsed with ``packaging`` and rebuilt from the parsed parts, so what reaches pip is never the
user's string. Refused, each with a one-line reason: options (``-e .``, ``--index-url x``),
paths (``../pkg``, ``x===../../y.tar.gz``: ``===`` takes any text, and pip reads it as a path),
versions that read like an archive (``x==1.0+x.tar.gz``), URLs (``pkg @ https://...``) and
environment markers (``pkg; os_name=="nt"``:
the overlay is built for this machine, so a marker is either always true, and the plain pin says
it, or always false, and the pin would silently do nothing).

``--env recorded`` pins the recorded lock (its checked ``name==version`` lines, see
:func:`jupyterlab_xp.promote.trust.package_lock`) minus what this environment already has at
exactly that version: only the packages that differ are installed.
"""

from __future__ import annotations

from importlib import metadata

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.promote import trust

MAX_SPECS = 50
MAX_SPEC_CHARS = 200
# Never pinned into an overlay: the promotion's own code comes from this environment (the
# recorder is injected, not installed), and pip is the installer that builds the overlay.
NOT_PINNED = frozenset({"jupyterlab-xp", "pip"})
EXAMPLE = "e.g. 'matplotlib<3.8' or 'tabulate==0.9.0'"


def check_spec(text: object) -> str:
    """``text`` as ``name[extras]specifier`` rebuilt from its parsed parts; XpError otherwise."""
    if not isinstance(text, str):
        raise XpError(f"--with takes a requirement ({EXAMPLE}), got {trust.shown(text)}")
    spec = text.strip()
    if len(spec) >= 2 and spec[0] == spec[-1] and spec[0] in "'\"":
        spec = spec[1:-1].strip()  # %xp promote keeps the quotes a shell would have removed
    said = trust.shown(spec, 80)
    if not spec or len(spec) > MAX_SPEC_CHARS or not spec.isascii() or not spec.isprintable():
        raise XpError(f"--with {said}: not a requirement ({EXAMPLE})")
    if spec.startswith("-"):
        raise XpError(
            f"--with {said}: pip options are not accepted, only a requirement ({EXAMPLE})"
        )
    try:
        requirement = Requirement(spec)
    except InvalidRequirement:
        raise XpError(
            f"--with {said}: not a requirement (name[extras] specifier, {EXAMPLE}; "
            "no paths or options)"
        ) from None
    if requirement.url:
        raise XpError(
            f"--with {said}: URLs are not accepted, only a name and versions from the index"
        )
    if requirement.marker:
        raise XpError(
            f"--with {said}: environment markers are not accepted (the overlay is built for this "
            "machine): give the pin it needs"
        )
    for specifier in requirement.specifier:
        version = specifier.version.removesuffix(".*")
        if specifier.operator == "===" or trust.strict_version(version) is None:
            raise XpError(
                f"--with {said}: {trust.shown(str(specifier), 40)} is not a plain version "
                "(=== and versions named like archives are refused, as paths are)"
            )
    if canonicalize_name(requirement.name) in NOT_PINNED:
        raise XpError(
            f"--with {said}: {requirement.name} is the promotion's own, it cannot be pinned"
        )
    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    return f"{requirement.name}{extras}{requirement.specifier}"


def check_specs(specs: list[str] | None) -> list[str]:
    """Every spec checked, one per package (XpError for two of the same), sorted by name."""
    checked = [check_spec(s) for s in specs or []]
    if len(checked) > MAX_SPECS:
        raise XpError(f"--with takes at most {MAX_SPECS} requirements")
    by_name: dict[str, str] = {}
    for spec in checked:
        name = canonicalize_name(Requirement(spec).name)
        if name in by_name:
            raise XpError(
                f"--with names {name} twice ({by_name[name]}, {spec}): give one requirement"
            )
        by_name[name] = spec
    return [by_name[n] for n in sorted(by_name)]


def installed_versions() -> dict[str, str]:
    """This environment's distributions (canonical name: version); the first on sys.path wins."""
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"] if dist.metadata else None
        if name:
            found.setdefault(canonicalize_name(name), dist.version)
    return found


def lock_pins(lock: str | None) -> list[str]:
    """The recorded lock's checked ``name==version`` pins, without the promotion's own."""
    checked = trust.package_lock(lock)[0] or ""
    pins = [line for line in checked.splitlines() if line and not line.startswith("#")]
    return [p for p in pins if canonicalize_name(p.split("==", 1)[0]) not in NOT_PINNED]


def _same(recorded: str, installed: str | None) -> bool:
    if installed is None:
        return False
    try:
        return Version(recorded) == Version(installed)
    except InvalidVersion:
        return recorded == installed


def differing(pins: list[str], installed: dict[str, str]) -> list[str]:
    """The ``name==version`` pins that ``installed`` does not already hold at that version."""
    out = []
    for pin in pins:
        name, version = pin.split("==", 1)
        if not _same(version, installed.get(canonicalize_name(name))):
            out.append(pin)
    return out


def merged(recorded: list[str], specs: list[str]) -> list[str]:
    """The recorded pins with ``--with`` specs in place of the same packages', sorted by name."""
    by_name = {canonicalize_name(Requirement(p).name): p for p in recorded}
    by_name.update({canonicalize_name(Requirement(s).name): s for s in specs})
    return [by_name[n] for n in sorted(by_name)]
