"""docs/claims.md stays true: phrases on their pages, tests that exist, no absolute unlisted.

The pages are the README and the docs site's own pages (tests/userdocs.py): a row names the one
it quotes. Pure parsing (no kernel, no store): the tests named here run in their own modules.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

import userdocs

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = ROOT / "docs" / "claims.md"

# Claims that no test backs yet (their rows say "untested: ..."). Each shows as an expected
# failure in the suite's summary, so the lead sees them; a row that gains a test must leave
# this list (strict: it then fails as XPASS), and a new untested row must join it.
KNOWN_UNTESTED = [
    # FALSE as DESIGN.md states it (a slow store holds a cell that mentions mlflow up to 30 s);
    # the README says so now, DESIGN.md is the lead's to change.
    "never blocks a cell and never holds back other records",
]

ABSOLUTE = re.compile(r"\b(never|always|cannot)\b", re.IGNORECASE)
# The source column: README, a site page by its path, or DESIGN (the shared design notes).
ROW = re.compile(
    r'^\| "(?P<phrase>.+)" \| (?P<source>README|DESIGN|docs/site/\S+\.md) \| (?P<backing>.+) \|$'
)
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

    @property
    def page(self) -> str | None:
        """The page the phrase is quoted from; None for DESIGN.md, which lives elsewhere."""
        if self.source == "DESIGN":
            return None
        return "README.md" if self.source == "README" else self.source


@cache
def claims() -> tuple[Claim, ...]:
    rows = [ROW.match(line) for line in CLAIMS.read_text().splitlines()]
    return tuple(Claim(m["phrase"], m["source"], m["backing"].strip()) for m in rows if m)


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


def test_every_phrase_is_on_the_page_its_row_names() -> None:
    pages = set(userdocs.pages())
    unknown = {c.source for c in claims() if c.page is not None and c.page not in pages}
    assert not unknown, f"rows name pages that are not the README or a site page: {unknown}"
    gone = [
        f"{c.page}: {c.phrase}"
        for c in claims()
        if c.page is not None and c.phrase not in userdocs.text(c.page)
    ]
    assert not gone, f"phrases no longer on their page (update docs/claims.md): {gone}"


def test_every_named_test_and_benchmark_exists() -> None:
    problems = [p for c in claims() if not c.untested for p in map(missing_ref, c.refs) if p]
    assert not problems, problems


def unlisted_absolutes(page: str) -> list[str]:
    """The never/always/cannot words of ``page`` that lie inside no phrase of its own rows."""
    # Stricter than "each such sentence holds a phrase": each of the words must lie inside
    # an occurrence of a phrase, so a second absolute added to a listed sentence needs a row.
    prose = userdocs.prose(page)
    covered: list[tuple[int, int]] = []
    for claim in claims():
        if claim.page != page:
            continue
        start = prose.find(claim.phrase)
        while start >= 0:
            covered.append((start, start + len(claim.phrase)))
            start = prose.find(claim.phrase, start + 1)
    return [
        f"{page}: ...{prose[max(0, m.start() - 80) : m.end() + 80]}..."
        for m in ABSOLUTE.finditer(prose)
        if not any(a <= m.start() and m.end() <= b for a, b in covered)
    ]


def test_every_never_always_cannot_on_a_page_has_a_row() -> None:
    unlisted = [line for page in userdocs.pages() for line in unlisted_absolutes(page)]
    assert not unlisted, "absolutes with no row in docs/claims.md:\n" + "\n".join(unlisted)


def test_untested_claims_are_the_known_ones() -> None:
    untested = {c.phrase for c in claims() if c.untested}
    assert untested == set(KNOWN_UNTESTED), "update KNOWN_UNTESTED at the top of this file"


@pytest.mark.xfail(strict=True, reason="no test backs this claim yet (docs/claims.md)")
@pytest.mark.parametrize("phrase", KNOWN_UNTESTED)
def test_known_untested_claim(phrase: str) -> None:
    claim = next(c for c in claims() if c.phrase == phrase)
    assert not claim.untested, claim.backing
