"""Split Coq text into sentences, the unit coqtop executes and `BackTo` rewinds.

Coq leaves this to the client: a sentence ends at a period followed by whitespace, except
inside comments (which nest) and strings; qualified names (`Nat.add_0_r`)
do not end one. Bullets (`-`, `+`, `*`, repeated) and braces are sentences of their own.
Comments are dropped from the result, so a comment can never hide text from the checks.
"""

from __future__ import annotations

import re

_BULLET = re.compile(r"(-+|\++|\*+)(?=\s|$)")


class SentenceError(ValueError):
    """Text that never ends its last sentence (unclosed comment or string, missing period)."""


def split_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    buf: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("(*", i):
            i = _skip_comment(text, i)
            buf.append(" ")
            continue
        if c == '"':
            j = _skip_string(text, i)
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
                sentences.append(m.group(0))
                buf = []
                i = m.end()
                continue
            if c in "{}":
                sentences.append(c)
                buf = []
                i += 1
                continue
        if c == "}" and "".join(buf).strip() == "":
            sentences.append(c)
            i += 1
            continue
        if c == "." and (i + 1 == n or text[i + 1].isspace()):
            buf.append(c)
            sentence = " ".join("".join(buf).split())
            sentences.append(sentence)
            buf = []
            i += 1
            continue
        buf.append(c)
        i += 1
    rest = "".join(buf).strip()
    if rest:
        raise SentenceError(f"unfinished sentence (missing final period?): {rest[:80]!r}")
    return sentences


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
