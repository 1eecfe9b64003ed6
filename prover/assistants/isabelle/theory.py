"""Isabelle theory texts: assembling header + statement + proof, finding holes, refusing cheats.

Pure text functions (no server), so they can be tested and reused by the DSP pipeline, the
verdict and the Sledgehammer baseline alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from prover.assistants.isabelle import textfilter
from prover.assistants.isabelle.lexer import LexError, Token, tokens
from prover.datasets.minif2f_isabelle import strip_comments
from prover.theorem import Theorem

# The fixed automation list DSP and Llemma's harness try on every open step, cheapest first.
# `nlinarith` is not part of the Isabelle distribution; the env drops it where it is undefined.
HOLE_TACTICS: tuple[str, ...] = (
    "by auto",
    "by simp",
    "by arith",
    "by blast",
    "by fastforce",
    "by force",
    "by eval",
    "by presburger",
    "by sos",
    "by linarith",
    "by (auto simp: field_simps)",
    "by nlinarith",
)
OPTIONAL_METHODS: tuple[str, ...] = ("nlinarith",)

_HOLE = re.compile(r"(?<![\w'.])(sledgehammer|sorry)(?![\w'])")

# What may begin the proof after a statement (Isar's proof commands in `prove` mode). Anything
# else continues the statement (`if "False"`, `for x`, `and ...`) and so changes it.
PROOF_COMMANDS = frozenset(
    {"proof", "by", "apply", "using", "unfolding", "including", "supply", "subgoal", "."}
)
# The imports every checked theory gets (as DSP's checker, PISA, imports them for every
# theorem): `sos` lives in Sum_of_Squares; Code_Target_Numeral makes `eval` fast on numbers.
EXTRA_IMPORTS = ("HOL-Library.Sum_of_Squares", "HOL-Library.Code_Target_Numeral")
# The sessions of the MiniF2F heap (isabelle/ROOT): imports from anything else are loaded from
# source (HOL-Analysis: slow) or not found at all (AFP entries without the AFP registered).
HEAP_SESSIONS = ("HOL", "HOL-Library", "HOL-Computational_Algebra", "HOL-Number_Theory")
HEAP_THEORIES = ("Main", "Complex_Main", "MiniF2F_Base")
_THEORY_LINE = re.compile(r"^\s*theory\s+(\S+)", re.M)


@dataclass(frozen=True)
class Hole:
    start: int
    end: int
    kind: str  # "sledgehammer" or "sorry"


def blank_strings(text: str) -> str:
    """Blank out comments, "..." strings and cartouches, keeping offsets (for keyword search)."""
    plain = list(strip_comments(text))
    depth, quoted = 0, False
    for i, ch in enumerate(plain):
        if ch == '"' and depth == 0:
            quoted = not quoted
            continue
        if not quoted and ch in ("\u2039", "\u203a"):  # ‹ ›
            depth += 1 if ch == "\u2039" else -1
            continue
        if (quoted or depth > 0) and ch != "\n":
            plain[i] = " "
    out = "".join(plain)
    # The ASCII spelling of cartouches: \<open> ... \<close>.
    return re.sub(r"\\<open>.*?\\<close>", lambda m: " " * len(m.group(0)), out, flags=re.S)


def declared_name(text: str) -> str:
    """The NAME of `theory NAME` in a theory text (the file must be called NAME.thy)."""
    m = _THEORY_LINE.search(strip_comments(text))
    if m is None:
        raise ValueError("the theory text has no `theory NAME` line")
    return m.group(1).strip('"')


def theory_name(theorem: Theorem) -> str:
    m = _THEORY_LINE.search(strip_comments(theorem.header))
    return m.group(1).strip('"') if m else theorem.name


def imports(header: str) -> list[str]:
    """The theories a header imports (between `imports` and `begin`), quotes dropped."""
    try:
        toks = tokens(header)
    except LexError:
        return []
    words = [t.text for t in toks]
    if "imports" not in words or "begin" not in words:
        return []
    names, current = [], ""
    for t in toks[words.index("imports") + 1 : words.index("begin")]:
        if t.kind == "string":
            names.append(t.text.strip('"'))
        elif t.kind == "word" or t.text == "-":
            current += t.text
            continue
        if current:
            names.append(current)
            current = ""
    if current:
        names.append(current)
    return names


def unavailable_imports(header: str) -> list[str]:
    """Imports outside the MiniF2F heap (see HEAP_SESSIONS)."""
    out = []
    for name in imports(header):
        session = name.split(".", 1)[0] if "." in name else None
        if name in HEAP_THEORIES or session in HEAP_SESSIONS:
            continue
        out.append(name)
    return out


def header_with_imports(theorem: Theorem) -> str:
    """The theorem's header (or Llemma's default, Complex_Main) with EXTRA_IMPORTS added."""
    header = theorem.header.rstrip() + "\n" if theorem.header.strip() else ""
    if not header:
        header = f"theory {theorem.name} imports Complex_Main\nbegin\n"
    missing = [i for i in EXTRA_IMPORTS if i not in imports(header)]
    if not missing:
        return header
    plain = strip_comments(header)
    m = re.search(r"(?<![\w'.])imports(?![\w'])", plain)
    begin = re.compile(r"(?<![\w'.])begin(?![\w'])").search(plain, m.end()) if m else None
    if begin is None:
        return header
    extra = " ".join(f'"{i}"' for i in missing)
    before = header[: begin.start()].rstrip()
    newline = "\n" if "\n" in header[len(before) : begin.start()] else " "
    return f"{before} {extra}{newline}{header[begin.start() :]}"


def build(theorem: Theorem, proof: str) -> str:
    """header + statement + proof + end: the theory file that is checked."""
    return f"{header_with_imports(theorem)}\n{theorem.statement}\n{proof.strip()}\n\nend\n"


def holes(proof: str) -> list[Hole]:
    plain = blank_strings(proof)
    return [Hole(m.start(), m.end(), m.group(1)) for m in _HOLE.finditer(plain)]


def fill(proof: str, hole: Hole, tactic: str) -> str:
    return proof[: hole.start] + tactic + proof[hole.end :]


def all_cheats(text: str, part: str = "proof") -> list[str]:
    """Every escape hatch `text` contains, each with why (the filter's refusals,
    prover.assistants.isabelle.textfilter: words outside comments, strings and cartouches, and names
    or ML antiquotations inside them; `part` is "proof" or "header")."""
    return textfilter.refusals(text, part)


def cheats(text: str, part: str = "proof") -> str | None:
    """The first escape hatch `text` contains, or None."""
    found = all_cheats(text, part)
    return found[0] if found else None


def proof_start_problem(body: str) -> str | None:
    """Why `body` cannot follow the statement: it must begin with a proof command."""
    try:
        toks = tokens(body)
    except LexError as e:
        return f"the proof does not lex: {e}"
    if not toks:
        return "empty proof"
    if toks[0].text not in PROOF_COMMANDS:
        return (
            f"the proof begins with {toks[0].text!r}, which would continue (change) the "
            "statement; a proof begins with proof, by, apply, using, unfolding, ..."
        )
    return None


def _words(toks: list[Token]) -> list[str]:
    return [t.text for t in toks]


def normalize(text: str) -> str:
    return " ".join(strip_comments(text).split())


def statement_kept(theorem: Theorem, theory_text: str) -> bool:
    """Whether the checked theory is the header, then exactly the statement (comments and
    spacing aside), then a proof command: the statement Isabelle parses is the benchmark's."""
    try:
        text = _words(tokens(theory_text))
        head = _words(tokens(header_with_imports(theorem)))
        statement = _words(tokens(theorem.statement))
    except LexError:
        return False
    n, m = len(head), len(statement)
    return (
        text[:n] == head
        and text[n : n + m] == statement
        and len(text) > n + m
        and text[n + m] in PROOF_COMMANDS
    )


def strip_statement(theorem: Theorem, completion: str) -> str | None:
    """The proof part of a model completion that may restate the theorem; None if it changed
    it (a different statement, or the same one continued: `... if "False"`, `for x`)."""
    text = completion.strip()
    try:
        toks = tokens(text)
        statement = _words(tokens(theorem.statement))
    except LexError:
        return None
    if toks and toks[-1].text == "end":  # the model closed the theory too: build() does that
        text, toks = text[: toks[-1].start].rstrip(), toks[:-1]
    if not toks or toks[0].text not in ("theorem", "lemma"):
        return text
    words = _words(toks)
    candidates = [statement]
    if len(statement) > 2 and statement[1] == theorem.name:
        # Restated without the name: `theorem NAME: P` -> `theorem P`.
        candidates.append(statement[:1] + statement[3 if statement[2] == ":" else 2 :])
    for candidate in candidates:
        n = len(candidate)
        if words[:n] == candidate and len(words) > n and words[n] in PROOF_COMMANDS:
            return text[toks[n - 1].end :].strip()
    return None


@dataclass(frozen=True)
class Precheck:
    """What the verdict decides before asking Isabelle: a refusal, or the proof body to check
    and the fact name the oracle audit looks up."""

    reason: str | None
    body: str = ""
    fact: str = ""


def precheck(theorem: Theorem, proof: str) -> Precheck:
    """Every part of the verdict that needs no Isabelle, in the verdict's order: the
    statement kept (a restatement must be the same), a proof command first, the filter on the
    proof (theory-level commands too), on the statement and on the header, and a theorem name
    for the oracle audit."""
    from prover.assistants.isabelle.audit import AuditError, fact_name

    body = strip_statement(theorem, proof)
    if body is None:
        return Precheck("the statement was changed")
    if not body.strip():
        return Precheck("empty proof")
    cheat = cheats(body)
    if cheat:
        return Precheck(f"the proof contains {cheat}")
    problem = proof_start_problem(body)
    if problem:
        return Precheck(f"the statement was changed: {problem}")
    # Helper lemmas left unproved, axioms, ML or code_printing in the header (or in the
    # statement's own context elements) could forge the theorem.
    for part, text in (("statement", theorem.statement), ("header", theorem.header)):
        found = textfilter.refusals(text, "header")
        if found:
            return Precheck(f"the {part} contains {found[0]}")
    if not statement_kept(theorem, build(theorem, body)):
        return Precheck("the statement was changed")
    try:
        fact = fact_name(theorem.statement)
    except AuditError as e:
        return Precheck(str(e))
    return Precheck(None, body, fact)
