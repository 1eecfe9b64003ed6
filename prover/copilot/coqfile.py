"""Where the cursor stands in a Coq file: the proof it is in, the header before it, the
sentences of that proof so far.

The editor sends the text up to the cursor. Everything before the statement of the proof
that contains the cursor is the header (loaded once per warm session); the statement opens
the proof; the proof's complete sentences so far lead to the goal at the cursor. An
unfinished sentence at the very end (the user is typing it) is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from prover.assistants.coq.sentences import sentence_spans

_STATEMENT = re.compile(
    r"^(?:(?:Local|Global|Polymorphic|Program)\s+)*"
    r"(Theorem|Lemma|Fact|Remark|Corollary|Proposition|Example|Property)\s+([\w'.]+)"
)
_PROOF_START = re.compile(r"^Proof(\s.*)?\.$")
_PROOF_END = re.compile(r"^(Qed|Defined|Admitted|Abort|Save)\b")


class Span(NamedTuple):
    """One sentence and where it lies in the text (start and end offsets)."""

    start: int
    end: int
    text: str


def spans_of(text: str) -> list[Span]:
    """The complete sentences of `text`; an unfinished last one (being typed) is left out."""
    return [Span(*t) for t in sentence_spans(text, partial=True)]


class CursorError(ValueError):
    """The text cannot give a goal at the cursor; `line`/`col` (1-based) say where, if known."""

    def __init__(self, message: str, line: int | None = None, col: int | None = None):
        self.message, self.line, self.col = message, line, col
        where = f"line {line}, column {col}: " if line is not None else ""
        super().__init__(f"{where}{message}")

    def as_dict(self) -> dict:
        return {"message": self.message, "line": self.line, "col": self.col}


@dataclass(frozen=True)
class ProofAtCursor:
    header: str  # the file's text before the statement
    name: str
    statement: str  # the statement sentence, e.g. "Theorem t : forall n, n + 0 = n."
    statement_span: Span
    tactics: tuple[Span, ...]  # the proof's complete sentences before the cursor (no `Proof.`)
    text: str  # the text up to the cursor these offsets refer to

    def position(self, offset: int) -> tuple[int, int]:
        return line_col(self.text, offset)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of `offset` in `text`."""
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def proof_at_cursor(text: str) -> ProofAtCursor:
    """The proof containing the end of `text`; `CursorError` if the cursor is outside any."""
    spans = spans_of(text)
    opened: tuple[int, re.Match] | None = None
    for k, span in enumerate(spans):
        if opened is None:
            m = _STATEMENT.match(span.text)
            if m:
                opened = (k, m)
        elif _PROOF_END.match(span.text):
            opened = None
    if opened is None:
        raise CursorError(
            "the cursor is not inside a proof (put it after a Theorem/Lemma statement, "
            "before its Qed/Admitted)"
        )
    k, m = opened
    body = list(spans[k + 1 :])
    if body and _PROOF_START.match(body[0].text):
        body = body[1:]
    return ProofAtCursor(
        header=text[: spans[k].start],
        name=m.group(2),
        statement=spans[k].text,
        statement_span=spans[k],
        tactics=tuple(body),
        text=text,
    )


def rest_of_proof(text: str) -> tuple[Span, ...]:
    """The sentences after the cursor up to (not including) the proof's end (Qed/Admitted)."""
    out = []
    for span in spans_of(text):
        if _PROOF_END.match(span.text):
            break
        out.append(span)
    return tuple(out)
