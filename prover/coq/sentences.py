"""Split Coq text into sentences, the unit coqtop executes and `BackTo` rewinds.

Coq leaves this to the client: a sentence ends at a period followed by whitespace, except
inside comments (which nest) and strings; qualified names (`Nat.add_0_r`)
do not end one. Bullets (`-`, `+`, `*`, repeated) and braces are sentences of their own.
Comments are dropped from the result, so a comment can never hide text from the checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BULLET = re.compile(r"(-+|\++|\*+)(?=\s|$)")


class SentenceError(ValueError):
    """Text that never ends its last sentence (unclosed comment or string, missing period)."""


def split_sentences(text: str) -> list[str]:
    spans, rest = sentence_spans(text)
    if rest < len(text) and text[rest:].strip():
        raise SentenceError(
            f"unfinished sentence (missing final period?): {text[rest:][:80].strip()!r}"
        )
    return [s.text for s in spans]


@dataclass(frozen=True)
class Span:
    """One sentence and where it stands in the text (offsets of its first and last character + 1)."""

    start: int
    end: int
    text: str


def sentence_spans(text: str) -> tuple[list[Span], int]:
    """The complete sentences of `text` with their offsets, and where the unfinished rest starts.

    The editor copilot needs the offsets (to report an error's line:col) and tolerates an
    unfinished last sentence (the user is typing it); an unclosed comment or string at the
    end is part of that unfinished rest."""
    sentences: list[Span] = []
    buf: list[str] = []
    start = 0  # offset of the current sentence's first non-blank character
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        blank = not "".join(buf).strip()
        if text.startswith("(*", i):
            try:
                i = _skip_comment(text, i)
            except SentenceError:
                return sentences, start if not blank else i
            buf.append(" ")
            continue
        if blank:
            start = i
        if c == '"':
            try:
                j = _skip_string(text, i)
            except SentenceError:
                return sentences, start
            buf.append(text[i:j])
            i = j
            continue
        if blank:
            # At the start of a sentence: bullets and braces stand alone.
            if c.isspace():
                buf.append(c)
                i += 1
                continue
            m = _BULLET.match(text, i)
            if m and not text.startswith("*)", i):
                sentences.append(Span(i, m.end(), m.group(0)))
                buf = []
                i = m.end()
                continue
            if c in "{}":
                sentences.append(Span(i, i + 1, c))
                buf = []
                i += 1
                continue
        if c == "." and (i + 1 == n or text[i + 1].isspace()):
            buf.append(c)
            sentences.append(Span(start, i + 1, " ".join("".join(buf).split())))
            buf = []
            i += 1
            continue
        buf.append(c)
        i += 1
    return sentences, (start if "".join(buf).strip() else n)


def _skip_comment(text: str, i: int) -> int:
    depth, j = 0, i
    while j < len(text):
        if text.startswith("(*", j):
            depth += 1
            j += 2
        elif text.startswith("*)", j):
            depth -= 1
            j += 2
            if depth == 0:
                return j
        elif text[j] == '"':
            j = _skip_string(text, j)
        else:
            j += 1
    raise SentenceError("unclosed comment")


def _skip_string(text: str, i: int) -> int:
    j = i + 1
    while j < len(text):
        if text[j] == '"':
            if text.startswith('""', j):  # Coq escapes a quote by doubling it
                j += 2
                continue
            return j + 1
        j += 1
    raise SentenceError("unclosed string")
