"""Where the secrets are in a text: Yelp's detect-secrets plugins plus our own patterns.

:func:`find` answers the spans to replace and :func:`redact` replaces them with ``<redacted>``.
Two sources of patterns, merged:

- the regex plugins of ``detect-secrets`` (pinned in ``requirements.lock``): AWS key ids, GitHub,
  GitLab, Slack, Stripe, SendGrid, Twilio, PyPI, npm, Discord, Telegram, Azure storage keys and
  more, maintained upstream. Left out on purpose: ``KeywordDetector`` (the assignment rule below
  knows code better), the high-entropy string plugins (they take every sha256, git commit, run
  id and inline image) and ``IPPublicDetector`` (an address is not a secret).
- our own: whole PEM/PuTTY private key blocks, URL passwords (``/`` and ``@`` inside them
  too), tokens as URL users, URL query credentials, Authorization headers, current token
  formats (OpenAI, Anthropic, Hugging Face, GitHub, GitLab, Google, Stripe, Slack, JWT...), and a
  random-looking value assigned to a secret-looking name (``*_key``, ``*token*``, ``*secret*``,
  ``password``...).

Each text is also read plain (colour codes out, wrapped or concatenated literals joined) and
its base64 runs decoded (:mod:`.secret_views`), and values a table column or a command-line
flag names as credentials count as assigned to that name (:mod:`.secret_context`).

Only the text is looked at: nothing here calls a plugin's network verification.
"""

from __future__ import annotations

import importlib
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jupyterlab_xp.core import secret_patterns as P
from jupyterlab_xp.core.secret_context import context_hits
from jupyterlab_xp.core.secret_patterns import DETECT_SECRETS_PLUGINS, Gate
from jupyterlab_xp.core.secret_views import decoded_runs, plain_view

REDACTED = "<redacted>"


@dataclass(frozen=True)
class Hit:
    """One secret: ``text[start:end]``, what recognised it, and the name it was assigned to."""

    start: int
    end: int
    kind: str
    name: str | None = None


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def name_class(name: str) -> str | None:
    """``"password"``, ``"opaque"`` (a key, token or secret) or None for an innocent name."""
    if P.NOT_SECRET_NAME.search(name) and not re.search(r"(?i)secret|passw|api_?key", name):
        return None
    if P.PASSWORD_NAME.search(name):
        return "password"
    return "opaque" if P.OPAQUE_NAME.search(name) else None


def random_looking(value: str) -> bool:
    """A token-shaped, random-looking value: what a key or token is and a word or path is not."""
    if not P.OPAQUE_VALUE.match(value) or value.startswith(("/", "~", ".", "-")) or "://" in value:
        return False
    has_digit = any(c.isdigit() for c in value)
    has_alpha = any(c.isalpha() for c in value)
    mixed_case = any(c.isupper() for c in value) and any(c.islower() for c in value)
    if not has_alpha or not (has_digit or (mixed_case and len(value) >= 20)):
        return False
    return entropy(value) >= 3.0


def value_is_secret(name_kind: str, value: str, quoted: bool = True) -> bool:
    """Whether ``value``, assigned to a name of class ``name_kind``, is to be redacted."""
    if not value or value == REDACTED or P.TEMPLATE.search(value):
        return False
    if name_kind == "password":
        if quoted:
            return len(value) >= 3 and value[0] not in " \t),;+"
        return len(value) >= 6 and any(c.isdigit() for c in value) and "." not in value
    return random_looking(value)


_AUTH_GATE: Gate = (frozenset(P.AUTH_WORDS), 0)


def _literals() -> tuple[tuple[str, ...], tuple[str, ...]]:
    gates = [g for _, _, g in P.OWN] + list(P.PLUGIN_GATES.values())
    found = {lit for literals, _ in gates for lit in literals}
    found |= set(P.KEYWORDS + P.AUTH_WORDS + P.COMMAND_WORDS)
    found |= {"://", "="}
    lower = tuple(sorted(lit for lit in found if lit.islower()))
    return lower, tuple(sorted(found - set(lower)))


_LOWER_LITERALS, _CASED_LITERALS = _literals()


class _Probe:
    """What the gates ask of one text: which literals it holds (one look each), its longest run."""

    def __init__(self, text: str) -> None:
        self.text = text
        low = text.lower()
        self.present = frozenset(
            [lit for lit in _LOWER_LITERALS if lit in low]
            + [lit for lit in _CASED_LITERALS if lit in text]
        )
        self._run: int | None = None

    def passes(self, gate: Gate) -> bool:
        literals, run = gate  # literals: a frozenset (see P.OWN, plugin_patterns)
        return not self.present.isdisjoint(literals) and (not run or self.run >= run)

    @property
    def run(self) -> int:
        if self._run is None:
            self._run = max(map(len, P.RUN.findall(self.text)), default=0)
        return self._run


@lru_cache(maxsize=1)
def plugin_patterns() -> tuple[tuple[str, re.Pattern[str], bool, Gate], ...]:
    """``(kind, pattern, the secret is its longest group, gate)`` per detect-secrets pattern.

    Imported on first use (detect-secrets brings ``requests``): never on a cell's path.
    """
    out: list[tuple[str, re.Pattern[str], bool, Gate]] = []
    for module, cls_name, where in DETECT_SECRETS_PLUGINS:
        cls: Any = getattr(importlib.import_module(f"detect_secrets.plugins.{module}"), cls_name)
        for pattern in cls.denylist:
            grouped = where == "group" and pattern.groups > 0
            literals, run = P.PLUGIN_GATES[cls_name]
            gate = (frozenset(literals), run)
            out.append((str(cls.secret_type), pattern, grouped, gate))
    return tuple(out)


def _plugin_hits(probe: _Probe) -> list[Hit]:
    text, hits = probe.text, []
    for kind, pattern, grouped, gate in plugin_patterns():
        if not probe.passes(gate):
            continue
        for m in pattern.finditer(text):
            if grouped:
                spans = [m.span(i) for i in range(1, pattern.groups + 1) if m.group(i)]
                if not spans:
                    continue
                start, end = max(spans, key=lambda s: s[1] - s[0])
            else:
                start, end = m.span()
                while start < end and text[start] in " \t\r\n=:\"'":
                    start += 1
                while end > start and text[end - 1] in " \t\r\n=:\"'":
                    end -= 1
            if end - start >= 8 and not P.TEMPLATE.search(text[start:end]):
                hits.append(Hit(start, end, kind))
    return hits


def _own_hits(probe: _Probe) -> list[Hit]:  # noqa: C901  # one pass over the patterns and their gates
    text, hits = probe.text, []
    for kind, pattern, gate in P.OWN:
        if probe.passes(gate):
            for m in pattern.finditer(text):
                if m.end() - m.start() >= P.OWN_MIN_LENGTH.get(kind, 8):
                    hits.append(Hit(m.start(), m.end(), kind))
    if "://" in probe.present:
        for m in P.URL_PASSWORD.finditer(text):
            value = m.group("v")
            if not P.TEMPLATE.search(value) and not re.match(r"\d{1,5}/", value):
                hits.append(Hit(m.start("v"), m.end("v"), "URL password"))
        for m in P.URL_USER_TOKEN.finditer(text):
            if random_looking(m.group("v")):
                hits.append(Hit(m.start("v"), m.end("v"), "URL token"))
    if "=" in probe.present:
        for m in P.URL_QUERY.finditer(text):
            if not m.group("v").startswith(("{", "$", "%")):
                hits.append(Hit(m.start("v"), m.end("v"), "URL query credential", m.group("name")))
    if probe.passes(_AUTH_GATE):
        for m in P.AUTH_HEADER.finditer(text):
            group = "v" if m.group("v") else "w"
            value = m.group(group)
            if any(c.isdigit() for c in value) and not P.TEMPLATE.search(value):
                hits.append(Hit(m.start(group), m.end(group), "Authorization header"))
    return hits


def _is_name_char(c: str) -> bool:
    return c.isalnum() or c in "_.-"


def _assignment_hits(probe: _Probe) -> list[Hit]:
    text = probe.text
    hits: list[Hit] = []
    seen: set[tuple[int, int]] = set()
    if probe.present.isdisjoint(P.KEYWORDS):
        return hits
    for word in P.KEYWORD.finditer(text):
        start, end = word.start(), word.end()
        while start > 0 and end - start < 120 and _is_name_char(text[start - 1]):
            start -= 1
        while end < len(text) and end - start < 120 and _is_name_char(text[end]):
            end += 1
        if (start, end) in seen:
            continue
        seen.add((start, end))
        name = text[start:end]
        kind = name_class(name)
        m = P.ASSIGN_REST.match(text, end) if kind is not None else None
        if m is None or (m.group("op") == "," and not m.group("close")):
            continue
        group = next(g for g in ("dq", "sq", "uv") if m.group(g) is not None)
        if value_is_secret(str(kind), m.group(group), quoted=group != "uv"):
            label = "Password assignment" if kind == "password" else "Secret assignment"
            hits.append(Hit(m.start(group), m.end(group), label, name))
    return hits


def _merge(text: str, hits: list[Hit]) -> list[Hit]:
    merged: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if merged and hit.start <= merged[-1].end:
            last = merged[-1]
            if hit.end > last.end or (hit.name and not last.name):
                end = max(last.end, hit.end)
                merged[-1] = Hit(last.start, end, last.kind, last.name or hit.name)
            continue
        merged.append(hit)
    return [h if h.name else _with_left_name(text, h) for h in merged]


def _with_left_name(text: str, hit: Hit) -> Hit:
    """Name the variable a secret literal is assigned to (``api_key = "sk-..."``), if any."""
    if hit.start == 0 or text[hit.start - 1] not in "\"' =\t":
        return hit
    line_start = text.rfind("\n", max(0, hit.start - 200), hit.start) + 1
    m = P.LEFT_NAME.search(text, max(line_start, hit.start - 200), hit.start)
    if m is None or redact_plain(m.group(1)) != m.group(1):
        return hit
    return Hit(hit.start, hit.end, hit.kind, m.group(1))


_CONTEXT_GATE: Gate = (frozenset(P.KEYWORDS + P.COMMAND_WORDS), 0)


def _context_hits(probe: _Probe) -> list[Hit]:
    """Values under a credential column or after a credential flag (``core/secret_context``)."""
    if not probe.passes(_CONTEXT_GATE):
        return []
    return [
        Hit(start, end, f"{kind.capitalize()} by its context", name)
        for start, end, kind, name in context_hits(probe.text, name_class)
        if value_is_secret(kind, probe.text[start:end])
    ]


def _scan(probe: _Probe) -> list[Hit]:
    return _plugin_hits(probe) + _own_hits(probe) + _assignment_hits(probe) + _context_hits(probe)


def _decoded_hits(text: str) -> list[Hit]:
    """Base64 runs that decode to a secret, or to ``user:password`` (a docker config's auth)."""
    hits = []
    for start, end, decoded in decoded_runs(text):
        if P.BASIC_CREDENTIAL.match(decoded) or _scan(_Probe(decoded)):
            hits.append(Hit(start, end, "Base64-encoded secret"))
    return hits


def find(text: str, name: str | None = None) -> list[Hit]:
    """The secrets in ``text``, sorted and not overlapping.

    Args:
        text: any text: code, a JSON value, an output, a diff.
        name: the name ``text`` is stored under (an environment variable, a param, a JSON
            key), when it has one: a random-looking value under a secret-looking name goes
            whole, as does any value of a password.
    """
    hits: list[Hit] = []
    kind = name_class(name) if name else None
    if kind is not None and value_is_secret(kind, text.strip()):
        hits.append(Hit(0, len(text), "Secret under a secret name", name))
    if len(text) >= 8:
        probe = _Probe(text)
        hits += _scan(probe)
        # The same text read plain: colour codes out, wrapped and concatenated literals joined,
        # and "\n" read as a line break where a credential name could end a table's header.
        lines = "\\n" in text and P.ESCAPED_HEADER.search(text) is not None
        view = plain_view(text, lines=lines)
        if view is not None:
            for lo, hi in view.windows():
                found = _scan(_Probe(view.text[lo:hi]))
                hits += [Hit(*view.span(lo + h.start, lo + h.end), h.kind, h.name) for h in found]
        hits += _decoded_hits(text)
    if not hits:
        return []
    named = [h for h in hits if h.name is None or redact_plain(h.name) == h.name]
    return _merge(text, named)


def redact_plain(text: str) -> str:
    """``text`` with token-shaped secrets replaced, names ignored (used to vet names)."""
    if len(text) < 8:
        return text
    probe = _Probe(text)
    hits = [Hit(h.start, h.end, h.kind) for h in _plugin_hits(probe) + _own_hits(probe)]
    return _replace(text, _merge(text, hits)) if hits else text


def _replace(text: str, hits: list[Hit]) -> str:
    parts, last = [], 0
    for hit in hits:
        parts += [text[last : hit.start], REDACTED]
        last = hit.end
    parts.append(text[last:])
    return "".join(parts)


def redact(text: str, name: str | None = None) -> tuple[str, list[Hit]]:
    """``text`` with every secret replaced by ``<redacted>``, and the hits (see :func:`find`)."""
    hits = find(text, name)
    return (_replace(text, hits), hits) if hits else (text, [])
