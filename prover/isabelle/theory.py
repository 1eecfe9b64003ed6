"""Isabelle theory texts: assembling header + statement + proof, finding holes, refusing cheats.

Pure text functions (no server), so they can be tested and reused by the DSP pipeline, the
verdict and the Sledgehammer baseline alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
# Escape hatches a final proof must not contain: unfinished proofs, new axioms, ML that can
# forge theorems, and the options that skip proofs.
_CHEATS = re.compile(
    r"(?<![\w'.])(sorry|oops|axiomatization|axioms|sledgehammer|quick_and_dirty|skip_proofs"
    r"|Skip_Proof|cheat_tac|oracle|ML|ML_val|ML_prf|ML_command|ML_file|setup|local_setup"
    r"|declaration|syntax_declaration|attribute_setup|method_setup|simproc_setup)(?![\w'])"
)
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


def header_with_imports(theorem: Theorem) -> str:
    """The theorem's header, or a default one (Llemma's: Complex_Main) when it has none."""
    if theorem.header.strip():
        return theorem.header.rstrip() + "\n"
    return f"theory {theorem.name} imports Complex_Main\nbegin\n"


def build(theorem: Theorem, proof: str) -> str:
    """header + statement + proof + end: the theory file that is checked."""
    return f"{header_with_imports(theorem)}\n{theorem.statement}\n{proof.strip()}\n\nend\n"


def holes(proof: str) -> list[Hole]:
    plain = blank_strings(proof)
    return [Hole(m.start(), m.end(), m.group(1)) for m in _HOLE.finditer(plain)]


def fill(proof: str, hole: Hole, tactic: str) -> str:
    return proof[: hole.start] + tactic + proof[hole.end :]


def cheats(text: str) -> str | None:
    """The first escape hatch `text` contains outside comments, strings and cartouches."""
    m = _CHEATS.search(blank_strings(text))
    return m.group(1) if m else None


def normalize(text: str) -> str:
    return " ".join(strip_comments(text).split())


def statement_kept(theorem: Theorem, theory_text: str) -> bool:
    """Whether the checked theory states the theorem exactly as given (comments, spacing aside),
    with nothing but the header before it."""
    head = normalize(header_with_imports(theorem))
    text = normalize(theory_text)
    return text.startswith(head) and text[len(head) :].lstrip().startswith(
        normalize(theorem.statement)
    )


def strip_statement(theorem: Theorem, completion: str) -> str | None:
    """The proof part of a model completion that may restate the theorem; None if it changed it."""
    text = completion.strip()
    if not re.match(r"(theorem|lemma)\b", text):
        return text
    norm = normalize(theorem.statement)
    body = normalize(text)
    # The model may restate the statement with or without the theorem's name.
    unnamed = re.sub(rf"^(theorem|lemma)\s+{re.escape(theorem.name)}\s*:", r"\1", norm)
    for candidate in (norm, unnamed):
        if body.startswith(candidate):
            # Cut the same number of non-space characters from the raw text.
            want = len(candidate.replace(" ", ""))
            count = 0
            for i, ch in enumerate(strip_comments(text)):
                if not ch.isspace():
                    count += 1
                if count == want:
                    return text[i + 1 :].strip()
    return None
