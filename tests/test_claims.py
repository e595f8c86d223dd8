"""docs/claims.md stays true: README phrases, tests that exist, no absolute left unlisted.

Pure parsing (no kernel, no store): the tests named here run in their own modules.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = ROOT / "docs" / "claims.md"
README = ROOT / "README.md"

# Claims that no test backs yet (their rows say "untested: ..."). Each shows as an expected
# failure in the suite's summary, so the lead sees them; a row that gains a test must leave
# this list (strict: it then fails as XPASS), and a new untested row must join it.
KNOWN_UNTESTED = [
    # FALSE as DESIGN.md states it (a slow store holds a cell that mentions mlflow up to 30 s);
    # the README says so now, DESIGN.md is the lead's to change.
    "never blocks a cell and never holds back other records",
]

ABSOLUTE = re.compile(r"\b(never|always|cannot)\b", re.IGNORECASE)
ROW = re.compile(r'^\| "(?P<phrase>.+)" \| (?P<source>README|DESIGN) \| (?P<backing>.+) \|$')
REF = re.compile(r"`((?:tests|benchmarks|src|ui-tests)/[^`]+)`")


@dataclass(frozen=True)
class Claim:
    phrase: str
    source: str
    backing: str

    @property
    def refs(self) -> list[str]:
        return REF.findall(self.backing)

    @property
    def untested(self) -> bool:
        return self.backing.startswith("untested:")


def normalise(text: str) -> str:
    """Whitespace and line breaks as single spaces: the README wraps lines anywhere."""
    return " ".join(text.split())


@cache
def claims() -> tuple[Claim, ...]:
    rows = [ROW.match(line) for line in CLAIMS.read_text().splitlines()]
    return tuple(Claim(m["phrase"], m["source"], m["backing"].strip()) for m in rows if m)


@cache
def readme_prose() -> str:
    """The README without its fenced code blocks, normalised.

    Fenced blocks are what a program prints or a user types (the `jupyter xp compare` example
    prints "3 seeds cannot separate ..." as a warning, not as a promise): they are left out of
    the search for absolutes. The same warning quoted in prose is a claim with its own row.
    """
    kept: list[str] = []
    fenced = False
    for line in README.read_text().splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            kept.append(line)
    return normalise("\n".join(kept))


@cache
def defined_tests(path: Path) -> frozenset[str]:
    """Functions named ``test_*`` in a pytest module, found by parsing it (nothing runs)."""
    tree = ast.parse(path.read_text())
    return frozenset(
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    )


def missing_ref(ref: str) -> str | None:
    """Why ``ref`` names nothing that exists, or None when it does."""
    file, _, name = ref.partition("::")
    path = ROOT / file
    if not path.is_file():
        return f"{file} does not exist"
    if not name:
        return None if file.startswith("benchmarks/") else f"{ref}: name the test"
    if file.endswith(".py"):
        return None if name in defined_tests(path) else f"{ref}: no such test function"
    # Jest and Galata tests go by their title: it('title', ...) / test('title', ...)
    title = re.compile(r"\b(?:it|test)\(\s*(['\"`])" + re.escape(name) + r"\1")
    return None if title.search(path.read_text()) else f"{ref}: no test with that title"


def test_the_table_parses_and_every_row_says_what_backs_it() -> None:
    rows = claims()
    assert len(rows) >= 50, "docs/claims.md lost its table"
    for claim in rows:
        assert claim.untested or claim.refs, f'"{claim.phrase}": name a test, or say untested:'


def test_every_readme_phrase_is_in_the_readme() -> None:
    prose = normalise(README.read_text())
    gone = [c.phrase for c in claims() if c.source == "README" and c.phrase not in prose]
    assert not gone, f"phrases no longer in README.md (update docs/claims.md): {gone}"


def test_every_named_test_and_benchmark_exists() -> None:
    problems = [p for c in claims() if not c.untested for p in map(missing_ref, c.refs) if p]
    assert not problems, problems


def test_every_never_always_cannot_in_the_readme_has_a_row() -> None:
    # Stricter than "each such sentence holds a phrase": each of the words must lie inside
    # an occurrence of a phrase, so a second absolute added to a listed sentence needs a row.
    prose = readme_prose()
    covered: list[tuple[int, int]] = []
    for claim in claims():
        start = prose.find(claim.phrase)
        while start >= 0:
            covered.append((start, start + len(claim.phrase)))
            start = prose.find(claim.phrase, start + 1)
    unlisted = [
        prose[max(0, m.start() - 80) : m.end() + 80]
        for m in ABSOLUTE.finditer(prose)
        if not any(a <= m.start() and m.end() <= b for a, b in covered)
    ]
    assert not unlisted, "absolutes with no row in docs/claims.md:\n" + "\n".join(unlisted)


def test_untested_claims_are_the_known_ones() -> None:
    untested = {c.phrase for c in claims() if c.untested}
    assert untested == set(KNOWN_UNTESTED), "update KNOWN_UNTESTED at the top of this file"


@pytest.mark.xfail(strict=True, reason="no test backs this claim yet (docs/claims.md)")
@pytest.mark.parametrize("phrase", KNOWN_UNTESTED)
def test_known_untested_claim(phrase: str) -> None:
    claim = next(c for c in claims() if c.phrase == phrase)
    assert not claim.untested, claim.backing
