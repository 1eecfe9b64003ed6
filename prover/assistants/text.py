"""Proof text as each assistant writes it: how a proof splits into steps, where a sketch's
holes are, how a model's answer becomes a proof body, and nested delimiters (Lean's `/- -/`,
Isabelle's `(* *)` and cartouches nest, so their end is found by counting)."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator


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


def top_level(text: str) -> Iterator[int]:
    """The offsets in `text` outside parentheses, brackets and braces (the brackets
    themselves excluded): where a statement's `:` or a proposition's operator can split it."""
    depth = 0
    for i, c in enumerate(text):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0:
            yield i


def coq_steps(proof: str) -> list[str]:
    from prover.assistants.coq.sentences import SentenceError, split_sentences

    try:
        return split_sentences(proof)
    except SentenceError as e:
        raise ValueError(str(e)) from None


_COQ_BY_ADMIT = re.compile(r"^(.*\S)\s+by\s+admit\s*\.$", re.S)


def coq_sketch_steps(sketch: str) -> list[str]:
    """Sentences, with `assert (h : P) by admit.` split into `assert (h : P).` and a hole."""
    out = []
    for s in coq_steps(sketch):
        m = _COQ_BY_ADMIT.match(s)
        out += [f"{m.group(1)}.", "admit."] if m else [s]
    return out


def coq_is_hole(step: str) -> bool:
    return step.strip() == "admit."


def coq_extract(text: str) -> str:
    """The proof body of a model's answer: no code fence, no restated statement, no `Qed.`."""
    body = _unfence(text)
    m = re.search(r"^\s*Proof\.", body, re.M)
    if m:
        body = body[m.end() :]
    body = re.split(r"^\s*(?:Qed|Defined|Admitted|Abort)\.", body, maxsplit=1, flags=re.M)[0]
    return body.strip()


def lean_steps(proof: str) -> list[str]:
    """A Lean proof is checked as one tactic block (the REPL elaborates it whole)."""
    return [proof] if proof.strip() else []


_LEAN_HAVE_SORRY = re.compile(r"^(\s*have\b.*?)\s*:=\s*by\s+sorry\s*$")


def lean_sketch_steps(sketch: str) -> list[str]:
    """Top-level tactic lines (deeper-indented lines belong to the line above), with
    `have h : P := by sorry` split into `have h : P` (which opens P as the first goal) and a hole."""
    lines = [line for line in sketch.splitlines() if line.strip()]
    if not lines:
        return []
    indent = min(len(line) - len(line.lstrip()) for line in lines)
    steps: list[str] = []
    for line in lines:
        if steps and len(line) - len(line.lstrip()) > indent:
            steps[-1] += "\n" + line[indent:]
            continue
        m = _LEAN_HAVE_SORRY.match(line[indent:])
        steps += [m.group(1).strip(), "sorry"] if m else [line[indent:]]
    return steps


def lean_is_hole(step: str) -> bool:
    return step.strip() == "sorry"


def lean_extract(text: str) -> str:
    body = _unfence(text)
    m = re.search(r":=\s*by\b", body)
    if m and re.match(r"\s*(theorem|lemma|example)\b", body):
        body = body[m.end() :]
    lines = [line.rstrip() for line in body.strip("\n").splitlines()]
    return textwrap.dedent("\n".join(lines)).strip("\n")


def isabelle_extract(text: str) -> str:
    """The proof of a model's answer; a restated statement stays for the verdict to compare."""
    return _unfence(text).strip()


def _unfence(text: str) -> str:
    m = re.search(r"```[a-zA-Z0-9]*\n(.*?)(?:```|$)", text, re.S)
    return m.group(1) if m else text
