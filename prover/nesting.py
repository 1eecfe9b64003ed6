"""Nested delimiters in proof-assistant source: Lean's `/- -/`, Isabelle's `(* *)` and
cartouches all nest, so their end is found by counting, never by the first closer."""

from __future__ import annotations


def nested_end(text: str, start: int, opens: tuple[str, ...], closes: tuple[str, ...]) -> int:
    """The offset just after the closer matching the opener at `start`; -1 if unterminated."""
    i, depth = start, 0
    while i < len(text):
        opened = next((o for o in opens if text.startswith(o, i)), None)
        closed = None if opened else next((c for c in closes if text.startswith(c, i)), None)
        if opened:
            depth += 1
            i += len(opened)
        elif closed:
            depth -= 1
            i += len(closed)
            if depth == 0:
                return i
        else:
            i += 1
    return -1
