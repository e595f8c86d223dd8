"""The pages users read: README.md and the docs site's own Markdown pages (docs/site/**/*.md).

The README keeps what a newcomer needs; the site's pages own the rest of what it used to say, so
a promise the tests hold may live on either. Pages generated at build time (docs/site/_generated)
are the code's own words, not promises, and are left out.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "docs" / "site"


def pages() -> list[str]:
    """README.md, then every site page, as paths relative to the repository."""
    site = sorted(
        path.relative_to(ROOT).as_posix()
        for path in SITE.rglob("*.md")
        # _generated, _build and hidden folders: what builds write, not pages anyone wrote
        if not any(part.startswith(("_", ".")) for part in path.relative_to(SITE).parts)
    )
    return ["README.md", *site]


def normalise(text: str) -> str:
    """Whitespace and line breaks as single spaces: the pages wrap lines anywhere."""
    return " ".join(text.split())


@cache
def text(page: str) -> str:
    """A page's whole text, normalised."""
    return normalise((ROOT / page).read_text())


@cache
def prose(page: str) -> str:
    """A page without its fenced blocks, normalised.

    Fenced blocks are what a program prints or a user types (the `jupyter xp compare` example
    prints "3 seeds cannot separate ..." as a warning, not as a promise), or a site directive:
    they are left out of the search for absolutes. The same warning quoted in prose is a claim
    with its own row.
    """
    kept: list[str] = []
    fenced = False
    for line in (ROOT / page).read_text().splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            kept.append(line)
    return normalise("\n".join(kept))


def anywhere(phrase: str) -> bool:
    """Whether the README or a site page says ``phrase`` (whitespace aside)."""
    return any(phrase in text(page) for page in pages())
