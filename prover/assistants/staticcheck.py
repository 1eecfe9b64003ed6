"""`prover check FILE --static`: every part of the verdict that needs no proof assistant.

Users lint model output with it before spending Lean or Isabelle time, and it runs where no
proof assistant is installed. For each assistant it does what `prover check` does before the
assistant is asked: split the file into header, statement and proof; compare header and
statement with the benchmark's record where one is given; and run the same filters the
verdict runs (Lean: prover.assistants.lean.check's `refusal` on the proof and `header_refusal` on the
header and statement; Coq: prover.assistants.coq.check's sentence filter and the Qed/trailer rules;
Isabelle: prover.assistants.isabelle.check.static_check).
Passing this stage is not a verdict: only the kernel check says a proof is a proof.

Each backend's function reads a file and returns a StaticReport; a file that cannot be read
as a proof at all (no theorem, several and none named, does not lex) raises ValueError.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from prover.assistants.filecheck import reference_problems
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


def lean_static(path: Path, reference: Theorem | None, name: str | None) -> StaticReport:
    """Lean: split, compare with the record, the header filter, the proof filter."""
    from prover.assistants.lean.check import (
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
    refusals = reference_problems(theorem, reference, same_source)
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
    from prover.assistants.coq.check import (
        RefusedTactic,
        parse_proof_file,
        same_sentences,
        tactic_sentences,
    )

    pf = parse_proof_file(
        Path(path).read_text(encoding="utf-8"), name or (reference.name if reference else None)
    )
    theorem = Theorem(name=pf.name, system="coq", statement=pf.statement, header=pf.header)
    refusals = reference_problems(theorem, reference, same_sentences)
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
    """Isabelle: prover.assistants.isabelle.check.static_check (the split, the record, the filter of
    header, statement and proof), the same functions IsabelleEnv.verify runs before it asks
    the server; a proof resting on the code generator's oracle passes with a note."""
    from prover.assistants.isabelle.check import UnlexableFile, split_file, static_check

    verdict = static_check(path, reference, name)
    if not verdict.ok:
        return StaticReport(None, (verdict.reason,))
    try:
        theorem, _ = split_file(
            Path(path).read_text(encoding="utf-8"), name or (reference.name if reference else None)
        )
    except UnlexableFile as e:  # static_check lexed the same text: not reached
        return StaticReport(None, (str(e),))
    code = verdict.details.get("code_oracle_methods") or []
    notes = (
        (
            f"uses {', '.join(dict.fromkeys(code))}: a proof that checks is proved_code_oracle "
            "(it rests on the code generator's oracle)",
        )
        if code
        else ()
    )
    return StaticReport(theorem, (), notes)
