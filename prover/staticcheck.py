"""`prover check FILE --static`: every part of the verdict that needs no proof assistant.

Users lint model output with it before spending Lean or Isabelle time, and it runs where no
proof assistant is installed. For each assistant it does what `prover check` does before the
assistant is asked: split the file into header, statement and proof; compare header and
statement with the benchmark's record where one is given; and run the same filters the
verdict runs (Lean: prover.lean.check's `refusal` on the proof and `header_refusal` on the
header and statement; Coq: prover.coq.check's sentence filter and the Qed/trailer rules;
Isabelle: the lexer-based checks IsabelleEnv.verify makes before it builds the theory).
Passing this stage is not a verdict: only the kernel check says a proof is a proof.

Each backend's function reads a file and returns a StaticReport; a file that cannot be read
as a proof at all (no theorem, several and none named, does not lex) raises ValueError.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from prover.theorem import Theorem


@dataclass(frozen=True)
class StaticReport:
    """What the proof-assistant-free stage found in one file."""

    theorem: Theorem | None  # None: the file was refused before a theorem could be found
    refusals: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # facts the verdict line will state (e.g. native_decide)
    details: dict[str, str] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        return bool(self.refusals)


def _reference_problems(found: Theorem, reference: Theorem | None, same) -> list[str]:
    """The record comparison prover.filecheck.verdict_on_file makes, as refusals."""
    if reference is None:
        return []
    out = []
    if not same(found.header, reference.header):
        out.append(f"the file's header is not {reference.name}'s")
    if not same(found.statement, reference.statement):
        out.append(f"the file's statement of {found.name} is not the benchmark's")
    return out


def lean_static(path: Path, reference: Theorem | None, name: str | None) -> StaticReport:
    """Lean: split, compare with the record, the header filter, the proof filter."""
    from prover.lean.check import (
        FileRefused,
        header_refusal,
        refusal,
        same_source,
        split_file,
        statement_refusal,
        uses_native,
    )

    text = Path(path).read_text(encoding="utf-8")
    try:
        theorem, proof = split_file(
            text, name or (reference.name if reference else None), Path(path).stem
        )
    except FileRefused as e:
        return StaticReport(None, (str(e),))
    refusals = _reference_problems(theorem, reference, same_source)
    # The statement is elaborated like the header (a binder's default `by ...` runs tactics).
    why = header_refusal(theorem.header) or statement_refusal(theorem.statement)
    if why:
        refusals.append(why)
    why = refusal(proof.strip("\n"), allow_native_decide=True)
    if why:
        refusals.append(f"proof refused: {why}")
    notes = ("uses native_decide: trusts the compiler",) if uses_native(proof) else ()
    return StaticReport(theorem, tuple(refusals), notes)


def coq_static(path: Path, reference: Theorem | None, name: str | None) -> StaticReport:
    """Coq: the proof file's cut (Qed, nothing after it), the record, the tactic filter."""
    from prover.coq.check import RefusedTactic, parse_proof_file, same_sentences, tactic_sentences

    pf = parse_proof_file(
        Path(path).read_text(encoding="utf-8"), name or (reference.name if reference else None)
    )
    theorem = Theorem(name=pf.name, system="coq", statement=pf.statement, header=pf.header)
    refusals = _reference_problems(theorem, reference, same_sentences)
    if pf.proof is None:
        refusals.append(f"the proof of {pf.name} does not end with Qed.")
    else:
        try:
            tactic_sentences(pf.proof)
        except RefusedTactic as e:
            refusals.append(f"proof refused: {e}")
    if pf.trailer:
        refusals.append(f"the file goes on after the proof of {pf.name}: {pf.trailer[:120]!r}")
    return StaticReport(theorem, tuple(refusals))


def isabelle_static(path: Path, reference: Theorem | None, name: str | None) -> StaticReport:
    """Isabelle: the split, the record, and the checks IsabelleEnv.verify makes before it
    asks the server (the statement kept, escape hatches in proof and header, the proof's
    first command), through prover.isabelle's own functions."""
    from prover.isabelle.check import split_file
    from prover.isabelle.lexer import same_tokens

    text = Path(path).read_text(encoding="utf-8")
    theorem, proof = split_file(text, name or (reference.name if reference else None))
    refusals = _reference_problems(theorem, reference, same_tokens)
    refusals += isabelle_refusals(theorem, proof)
    return StaticReport(theorem, tuple(refusals))


def isabelle_refusals(theorem: Theorem, proof: str) -> list[str]:
    """The proof-assistant-free part of IsabelleEnv.verify, in its order."""
    from prover.isabelle import theory

    body = theory.strip_statement(theorem, proof)
    if body is None:
        return ["the statement was changed"]
    if not body.strip():
        return ["empty proof"]
    out = []
    cheat = theory.cheats(body)
    if cheat:
        out.append(f"the proof contains {cheat}")
    problem = theory.proof_start_problem(body)
    if problem:
        out.append(f"the statement was changed: {problem}")
    in_header = [c for c in theory.all_cheats(theorem.header) if c != "theory"]
    if in_header:
        out.append(f"the header contains {in_header[0]}")
    if not out and not theory.statement_kept(theorem, theory.build(theorem, body)):
        out.append("the statement was changed")
    return out
