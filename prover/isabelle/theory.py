"""Isabelle theory texts: assembling header + statement + proof, finding holes, refusing cheats."""

from __future__ import annotations

import re
from dataclasses import dataclass

from prover.datasets.minif2f_isabelle import _strip_comments
from prover.theorem import Theorem

# The fixed automation list DSP and Llemma's harness try on every open step.
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
_HOLE = re.compile(r"(?<![\w'])(sledgehammer|sorry)(?![\w'])")
_CHEATS = re.compile(
    r"(?<![\w'])(sorry|oops|axiomatization|axioms|sledgehammer|quick_and_dirty|skip_proofs)(?![\w'])"
)
_THEORY_LINE = re.compile(r"^\s*theory\s+(\S+)", re.M)


@dataclass(frozen=True)
class Hole:
    start: int
    end: int
    kind: str  # "sledgehammer" or "sorry"


def theory_name(theorem: Theorem) -> str:
    m = _THEORY_LINE.search(_strip_comments(theorem.header))
    return m.group(1).strip('"') if m else theorem.name


def header_with_imports(theorem: Theorem) -> str:
    """The theorem's header, or a default one (Llemma's: Complex_Main) when it has none."""
    if theorem.header.strip():
        return theorem.header.rstrip() + "\n"
    return f"theory {theorem.name} imports Complex_Main HOL.Real\nbegin\n"


def build(theorem: Theorem, proof: str) -> str:
    return f"{header_with_imports(theorem)}\n{theorem.statement}\n{proof.strip()}\n\nend\n"


def holes(proof: str) -> list[Hole]:
    plain = _strip_comments(proof)
    return [
        Hole(m.start(), m.end(), m.group(1))
        for m in _HOLE.finditer(plain)
        if plain.count('"', 0, m.start()) % 2 == 0
    ]


def fill(proof: str, hole: Hole, tactic: str) -> str:
    return proof[: hole.start] + tactic + proof[hole.end :]


def cheats(proof: str) -> str | None:
    """The first escape hatch a final proof still contains (outside comments and strings)."""
    plain = _strip_comments(proof)
    for m in _CHEATS.finditer(plain):
        if plain.count('"', 0, m.start()) % 2 == 0:
            return m.group(1)
    return None


def strip_statement(theorem: Theorem, completion: str) -> str | None:
    """The proof part of a model completion that restates the theorem; None if it changed it."""
    text = completion.strip()
    if not text.startswith(("theorem", "lemma")):
        return text
    norm = " ".join(_strip_comments(theorem.statement).split())
    body = " ".join(_strip_comments(text).split())
    # The model may restate the statement with or without the theorem's name.
    unnamed = norm.replace(f"theorem {theorem.name}:", "theorem").replace(
        f"theorem {theorem.name} :", "theorem"
    )
    for candidate in (norm, unnamed):
        if body.startswith(candidate):
            # Cut the same number of non-space characters from the raw text.
            want = len(candidate.replace(" ", ""))
            count = 0
            for i, ch in enumerate(text):
                if not ch.isspace():
                    count += 1
                if count == want:
                    return text[i + 1 :].strip()
    return None
