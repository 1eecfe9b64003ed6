"""Split Coq text into sentences, the unit coqtop executes and `BackTo` rewinds.

Coq leaves this to the client: a sentence ends at a period followed by whitespace, except
inside comments (which nest) and strings; qualified names (`Nat.add_0_r`)
do not end one. Bullets (`-`, `+`, `*`, repeated), braces and goal-selected braces (`2:{`) are sentences
of their own.
Comments are dropped from the result, so a comment can never hide text from the checks.
"""

from __future__ import annotations

import re

_BULLET = re.compile(r"(-+|\++|\*+)(?=\s|$)")
_SELECTOR_ONLY = re.compile(r"^\s*(\d+|\[[\w']+\])\s*:\s*$")


class SentenceError(ValueError):
    """Text that never ends its last sentence (unclosed comment or string, missing period)."""


def split_sentences(text: str) -> list[str]:
    return [s for _, _, s in sentence_spans(text)]


def sentence_spans(text: str, partial: bool = False) -> list[tuple[int, int, str]]:
    """(start, end, sentence) for each sentence: where it lies in `text`, and its text with
    comments dropped and whitespace collapsed.

    `partial` drops an unfinished last sentence (or unclosed comment or string) instead of
    raising: the editor copilot reads text up to a cursor where the user is still typing."""
    spans: list[tuple[int, int, str]] = []
    buf: list[str] = []
    start = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("(*", i):
            try:
                i = _skip_comment(text, i)
            except SentenceError:
                if partial:
                    return spans
                raise
            buf.append(" ")
            continue
        if c == '"':
            if not "".join(buf).strip():
                start = i
            try:
                j = _skip_string(text, i)
            except SentenceError:
                if partial:
                    return spans
                raise
            buf.append(text[i:j])
            i = j
            continue
        if not "".join(buf).strip():
            # At the start of a sentence: bullets and braces stand alone.
            if c.isspace():
                buf.append(c)
                i += 1
                continue
            m = _BULLET.match(text, i)
            if m and not text.startswith("*)", i):
                spans.append((i, m.end(), m.group(0)))
                buf = []
                i = m.end()
                continue
            if c in "{}":
                spans.append((i, i + 1, c))
                buf = []
                i += 1
                continue
            start = i
        elif c == "{" and _SELECTOR_ONLY.match("".join(buf)):
            # A goal selector opening a brace (`2:{`, `[x]: {`) is a sentence of its own.
            spans.append((start, i + 1, " ".join("".join(buf).split()) + "{"))
            buf = []
            i += 1
            continue
        if c == "." and (i + 1 == n or text[i + 1].isspace()):
            buf.append(c)
            spans.append((start, i + 1, " ".join("".join(buf).split())))
            buf = []
            i += 1
            continue
        buf.append(c)
        i += 1
    rest = "".join(buf).strip()
    if rest and not partial:
        raise SentenceError(f"unfinished sentence (missing final period?): {rest[:80]!r}")
    return spans


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
