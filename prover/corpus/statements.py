"""Reading Coq source sentences: lemma declarations, the names a tactic mentions, and the
normal form statements are compared in (the miniF2F test-split exclusion).

Everything here works on sentences as `prover.assistants.coq.sentences.split_sentences` returns them
(comments dropped, whitespace collapsed), so it reads exactly what coqtop is sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from prover.assistants.text import top_level

# Declarations whose statement is a proposition a proof may cite.
LEMMA_KINDS = (
    "Theorem",
    "Lemma",
    "Fact",
    "Remark",
    "Corollary",
    "Proposition",
    "Property",
    "Example",
)
_ATTRS = r"(?:#\[[^\]]*\]\s*)*(?:(?:Local|Global|Polymorphic|Monomorphic|Program)\s+)*"
_DECL = re.compile(
    rf"^{_ATTRS}(?P<kind>{'|'.join(LEMMA_KINDS)})\s+(?P<name>[A-Za-z_][\w']*)(?P<rest>.*)$", re.S
)
_IDENT = re.compile(r"[A-Za-z_][\w']*(?:\.[A-Za-z_][\w']*)*")
_MODULE = re.compile(
    r"^(?:Module|Module\s+Type)\s+(?:(?:Import|Export)\s+)?([A-Za-z_][\w']*)(.*)$", re.S
)
_SECTION = re.compile(r"^Section\s+([A-Za-z_][\w']*)\s*\.$")
_END = re.compile(r"^End\s+([A-Za-z_][\w']*)\s*\.$")
PROOF_END = re.compile(r"^(?:Qed|Defined|Admitted|Abort|Save)\b")
# `Proof t.` closes the proof with the term t (not `Proof using ...` / `Proof with ...`).
PROOF_TERM = re.compile(r"^Proof\s+(?!using\b|with\b)(.+)\.$", re.S)
_PROOF_START = re.compile(r"^Proof\b")


@dataclass(frozen=True)
class Declaration:
    kind: str
    name: str
    statement: str  # the proposition, binders turned into `forall`


def declaration(sentence: str) -> Declaration | None:
    """The lemma a sentence declares (`Lemma f (x : R) : P x.` -> `forall (x : R), P x`)."""
    m = _DECL.match(sentence)
    if not m:
        return None
    rest = m.group("rest").strip()
    if rest.endswith("."):
        rest = rest[:-1].rstrip()
    body = _top_level_index(rest, ":=")
    if body >= 0:  # `Lemma f : T := term.`: the statement is before the body
        rest = rest[:body].rstrip()
    i = _top_level_index(rest, ":")
    if i < 0:
        return None
    binders, statement = rest[:i].strip(), rest[i + 1 :].strip()
    if binders:
        statement = f"forall {binders}, {statement}"
    return Declaration(m.group("kind"), m.group("name"), statement)


def _top_level_index(text: str, token: str) -> int:
    """Where `token` first occurs outside parentheses, brackets and braces (-1: nowhere);
    a `:` that is part of `:=`, `::` or `:>` does not count as `:`."""
    for i in top_level(text):
        if not text.startswith(token, i):
            continue
        if token == ":" and (text[i : i + 2] in (":=", "::", ":>") or text[i - 1 : i] == ":"):
            continue
        return i
    return -1


class ModulePath:
    """The `Module` nesting at a point in a file (Sections do not qualify names)."""

    def __init__(self) -> None:
        self._stack: list[tuple[str, bool]] = []  # (name, is_module)

    def feed(self, sentence: str) -> None:
        m = _MODULE.match(sentence)
        if m and ":=" not in m.group(2):
            self._stack.append((m.group(1), True))
            return
        m = _SECTION.match(sentence)
        if m:
            self._stack.append((m.group(1), False))
            return
        m = _END.match(sentence)
        if m:
            for i in range(len(self._stack) - 1, -1, -1):
                if self._stack[i][0] == m.group(1):
                    del self._stack[i:]
                    break

    @property
    def modules(self) -> list[str]:
        return [name for name, is_module in self._stack if is_module]


def is_tactic(sentence: str) -> bool:
    """A sentence inside a proof that is a tactic to record (not a bullet, brace, `Proof`,
    proof end or vernacular command): tactics start lower-case, with a goal selector or
    with a parenthesis/bracket."""
    s = sentence.strip()
    if not s or set(s) <= set("-+*") or s.endswith(("{", "}")) or s in ("{", "}"):
        return False
    if _PROOF_START.match(s) or PROOF_END.match(s):
        return False
    return s[0].islower() or s[0].isdigit() or s[0] in "([" or s.startswith("all:")


_HYP_LINE = re.compile(r"^([A-Za-z_][\w']*(?:\s*,\s*[A-Za-z_][\w']*)*)\s*:(?!=)")


def local_names(state: str) -> list[str]:
    """The hypothesis and variable names in a goal's context (lines above the `=====` bar),
    in order."""
    names: list[str] = []
    for line in state.splitlines():
        if line.startswith("====="):
            break
        m = _HYP_LINE.match(line.strip())
        if m:
            names += [n.strip() for n in m.group(1).split(",")]
    return names


def mentioned_names(tactic: str) -> list[str]:
    """Identifiers a tactic mentions (qualified ones whole), in order, without repeats."""
    seen: dict[str, None] = {}
    for m in _IDENT.finditer(tactic):
        seen.setdefault(m.group(0), None)
    return list(seen)


def premises(tactic: str, state: str, lemma_names: set[str]) -> list[str]:
    """The library lemma names a tactic mentions: identifiers whose last component is a
    known lemma name, other than the goal's own hypotheses and the tactic's first word."""
    local = set(local_names(state))
    words = mentioned_names(tactic)
    out = []
    for i, name in enumerate(words):
        short = name.rsplit(".", 1)[-1]
        if name in local or (i == 0 and tactic.lstrip().startswith(name)):
            continue
        if short in lemma_names:
            out.append(name)
    return out


_TOKEN = re.compile(r"[A-Za-z_][\w'.]*[\w']|[A-Za-z_]|\d+|[^\s\w]+")


def normalize_statement(text: str) -> str:
    """A statement's comparison form: the declaration keyword and name dropped, comments and
    layout gone, tokens separated by one space (`(x:R)` and `( x : R )` compare equal)."""
    from prover.assistants.coq.sentences import SentenceError, split_sentences

    try:
        sentences = split_sentences(text if text.rstrip().endswith(".") else text.rstrip() + ".")
    except SentenceError:
        sentences = [text]
    body = " ".join(sentences).strip()
    decl = declaration(body)
    if decl is not None:
        body = decl.statement
    body = body.rstrip(".").strip()
    return " ".join(_TOKEN.findall(body))


def lemma_names_in(texts: Iterable[str]) -> set[str]:
    """Names declared as lemmas in source texts (a cheap scan, no replay): the vocabulary
    that tells a tactic's premises from its other words."""
    pattern = re.compile(rf"(?:^|\s)(?:{'|'.join(LEMMA_KINDS)}|Instance)\s+([A-Za-z_][\w']*)")
    names: set[str] = set()
    for text in texts:
        names.update(pattern.findall(text))
    return names
