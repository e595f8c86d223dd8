"""Secrets known by where they stand: under a credential column, after a credential flag.

A DataFrame shown with a ``password`` column, as text or as HTML, has its passwords in the
cells below that header; ``!mysql -p<pw>``, ``!curl -u admin:<pw>``, ``sshpass -p <pw>`` and
``--password <pw>`` hold one after the flag. Neither value has a token's shape: the header or
the flag is the context that says what it is, as a variable name does for an assignment.
:func:`context_hits` answers ``(start, end, kind, name)`` per value; the caller judges each
value as it judges an assignment (:func:`jupyterlab_xp.core.secrets.value_is_secret`).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Iterator

# A header line of a text table as pandas prints one: names only, two or more spaces apart,
# indented over the index column when there is one name (prose is one space apart).
_NAME = r"[A-Za-z_][\w.\-]*"
# (A quote may open it: the table as a string literal in code, read with its "\n" made real.)
_HEADER_LINE = re.compile(
    rf"^[rbuf]?[\"']?(?:[ \t]*{_NAME}(?:[ \t]{{2,}}{_NAME})+|[ \t]{{2,}}{_NAME})[ \t]*$"
)
_TOKEN = re.compile(r"\S+")
_CREDENTIAL_WORD = re.compile(r"(?i)passw|pwd|pass|secret|token|credential|key|auth|dsn")
MAX_ROWS = 200  # rows read under one header
_HTML_TABLE = re.compile(r"(?is)<table\b.{0,500000}?</table>")
_HTML_ROW = re.compile(r"(?is)<tr\b[^>]*>(.*?)</tr>")
_HTML_CELL = re.compile(r"(?is)<t([hd])\b[^>]*>(.*?)</t\1>")
_TAG = re.compile(r"<[^>]*>")

_LONG_FLAG = re.compile(
    r"(?<![\w-])--(?P<name>[A-Za-z][A-Za-z0-9_-]{0,40})(?:=|[ \t]+)[\"']?"
    r"(?P<v>[^\s\"'=`-][^\s\"'`]*)"
)
_DB_CLIENT_P = re.compile(
    r"\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlshow|mariadb(?:-dump|-admin)?)"
    r"\b[^\n|;&]{0,300}?[ \t]-p[\"']?(?P<v>[^\s\"'|;&`]+)"
)
_SSHPASS_P = re.compile(r"\bsshpass[ \t]+-p[ \t]*[\"']?(?P<v>[^\s\"'`]+)")
_USER_COLON = re.compile(
    r"\b(?:curl|wget|http|lftp|ftp)\b[^\n|;&]{0,300}?(?:[ \t]-u|[ \t]--user|[ \t]-U|"
    r"[ \t]--proxy-user)(?:=|[ \t]*)[\"']?[^\s:\"']{1,100}:(?P<v>[^\s\"'`]+)"
)
_NOT_A_VALUE_FLAG = re.compile(r"(?i)[-_](?:file|env|stdin|prompt|cmd|command|length|len)$")

Classify = Callable[[str], str | None]  # a name to "password", "opaque" or None


def context_hits(text: str, classify: Classify) -> Iterator[tuple[int, int, str, str]]:
    """``(start, end, kind, name)`` of each value that a credential header or flag names."""
    if "\n" in text:
        yield from _text_table_hits(text, classify)
    if "<table" in text or "<TABLE" in text:
        yield from _html_table_hits(text, classify)
    if "-" in text:
        yield from _flag_hits(text, classify)


def _text_table_hits(text: str, classify: Classify) -> Iterator[tuple[int, int, str, str]]:
    seen: set[int] = set()
    for word in _CREDENTIAL_WORD.finditer(text):  # only the lines a credential name is on
        start = text.rfind("\n", 0, word.start()) + 1
        end = text.find("\n", word.end())
        if start in seen or end < 0:
            continue
        seen.add(start)
        line = text[start:end]
        if not _HEADER_LINE.match(line):
            continue
        header = list(_TOKEN.finditer(line))
        named = [
            (m, kind)
            for m in header
            if not keyword.iskeyword(m.group()) and (kind := classify(m.group())) is not None
        ]
        # Rows start with their index label at the margin, one cell more than a one-name header.
        sizes = (len(header), len(header) + 1) if len(header) > 1 else (2,)
        row_at = end + 1
        for _ in range(MAX_ROWS if named else 0):
            row_end = text.find("\n", row_at)
            row = text[row_at : len(text) if row_end < 0 else row_end]
            cells = list(_TOKEN.finditer(row))
            if not cells or cells[0].start() > 0 or len(cells) not in sizes:
                break
            for column, kind in named:
                cell = next(
                    (c for c in cells if c.start() < column.end() and c.end() > column.start()),
                    None,
                )
                if cell is not None:
                    stop = cell.end() - (len(cell.group()) - len(cell.group().rstrip("\"'")))
                    yield row_at + cell.start(), row_at + stop, kind, column.group()
            if row_end < 0:
                break
            row_at = row_end + 1


def _html_table_hits(text: str, classify: Classify) -> Iterator[tuple[int, int, str, str]]:
    for table in _HTML_TABLE.finditer(text):
        columns: dict[int, tuple[str, str]] = {}
        for row in _HTML_ROW.finditer(text, table.start(), table.end()):
            cells = list(_HTML_CELL.finditer(text, row.start(1), row.end(1)))
            if not columns:
                for index, cell in enumerate(cells):
                    name = _TAG.sub("", cell.group(2)).strip()
                    kind = classify(name) if name else None
                    if kind is not None:
                        columns[index] = (kind, name)
                continue
            for index, (kind, name) in columns.items():
                if index < len(cells):
                    inner = cells[index]
                    value = inner.group(2)
                    start = inner.start(2) + len(value) - len(value.lstrip())
                    end = inner.end(2) - (len(value) - len(value.rstrip()))
                    if end > start and "<" not in text[start:end]:
                        yield start, end, kind, name


def _flag_hits(text: str, classify: Classify) -> Iterator[tuple[int, int, str, str]]:
    for m in _LONG_FLAG.finditer(text) if "--" in text else ():
        name = m.group("name")
        kind = classify(name)
        if kind is not None and not _NOT_A_VALUE_FLAG.search(name):
            yield m.start("v"), m.end("v"), kind, f"--{name}"
    if "-p" in text and ("mysql" in text or "mariadb" in text or "sshpass" in text):
        for pattern, flag in ((_DB_CLIENT_P, "-p"), (_SSHPASS_P, "sshpass -p")):
            for m in pattern.finditer(text):
                yield m.start("v"), m.end("v"), "password", flag
    if ("curl" in text or "wget" in text or "ftp" in text or "http " in text) and (
        "-u" in text or "-U" in text
    ):
        for m in _USER_COLON.finditer(text):
            yield m.start("v"), m.end("v"), "password", "-u USER:PASSWORD"
