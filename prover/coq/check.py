"""What may enter a Coq proof, and the from-scratch verdict on a finished one.

Coq itself lets cheats through: `coqc` accepts `Admitted.` with exit 0, and vernacular
such as `Axiom` or `Unset Guard Checking` is accepted in the middle of a proof. So only
tactics, bullets and braces may enter a proof (vernacular starts with a capital letter;
tactics do not), `admit`/`give_up` are refused wherever they appear, and the verdict
re-checks the whole file with a fresh `coqc` and audits `Print Assumptions`.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from prover.coq.sentences import SentenceError, split_sentences
from prover.coq.toolchain import environment
from prover.process import run_in_session
from prover.proofenv import Verdict
from prover.theorem import Theorem

# Axioms of Coq's own standard library that miniF2F statements legitimately depend on.
STDLIB_AXIOMS = frozenset(
    {
        "ClassicalDedekindReals.sig_forall_dec",
        "ClassicalDedekindReals.sig_not_dec",
        "FunctionalExtensionality.functional_extensionality_dep",
        "Classical_Prop.classic",
        "ClassicalEpsilon.constructive_indefinite_description",
        "ProofIrrelevance.proof_irrelevance",
        "Eqdep.Eq_rect_eq.eq_rect_eq",
        "JMeq.JMeq_eq",
        "PropExtensionality.propositional_extensionality",
        "ClassicalUniqueChoice.dependent_unique_choice",
        "IndefiniteDescription.constructive_indefinite_description",
    }
)
_FORBIDDEN_WORDS = re.compile(
    r"(?<![\w'.])(admit|give_up|Admitted|Abort|Axiom|Parameter|Unset|Guard)(?![\w'])"
)
_BULLET = re.compile(r"^(-+|\++|\*+|\{|\})$")
_SELECTOR = re.compile(r"^(\d+(\s*,\s*\d+)*|all|par|!)\s*:")
_DECLARING = re.compile(
    r"^\s*(Axiom|Axioms|Parameter|Parameters|Hypothesis|Hypotheses|Variable|Variables|Conjecture)\s+(.+?)\s*:",
    re.S,
)


class RefusedTactic(ValueError):
    """A candidate that is not a plain tactic (vernacular, admit, an unfinished sentence)."""


def tactic_sentences(text: str) -> list[str]:
    """Split a candidate into sentences, refusing anything but tactics, bullets and braces."""
    try:
        sentences = split_sentences(text)
    except SentenceError as e:
        raise RefusedTactic(str(e)) from None
    if not sentences:
        raise RefusedTactic("empty tactic")
    for s in sentences:
        if _BULLET.match(s):
            continue
        m = _FORBIDDEN_WORDS.search(s)
        if m:
            raise RefusedTactic(f"{m.group(1)!r} is not allowed in a proof")
        body = _SELECTOR.sub("", s).lstrip()
        if not body or not (body[0].islower() or body[0] in "([_"):
            raise RefusedTactic(
                f"only tactics may enter a proof, not {s.split()[0]!r} (vernacular)"
            )
    return sentences


def declared_axioms(header: str) -> set[str]:
    """Names the statement's own header declares as axioms/parameters (the benchmark's assumptions)."""
    names: set[str] = set()
    try:
        sentences = split_sentences(header)
    except SentenceError:
        return names
    for s in sentences:
        m = _DECLARING.match(s)
        if m:
            names.update(n.strip("()") for n in m.group(2).split())
    return names


def parse_assumptions(output: str, name: str) -> tuple[list[str], list[str]]:
    """(axiom names, other sections) from `Print Assumptions NAME.` output."""
    text = (
        output[output.rfind(f"Print Assumptions {name}") :]
        if f"Print Assumptions {name}" in output
        else output
    )
    if "Closed under the global context" in text:
        return [], []
    axioms: list[str] = []
    others: list[str] = []
    section = None
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line[0].isspace() and line.rstrip().endswith(":") and " : " not in line:
            section = line.strip().rstrip(":")
            if section != "Axioms":
                others.append(section)
            continue
        if section == "Axioms" and not line[0].isspace():
            axioms.append(line.split(" : ")[0].split()[0])
    return axioms, others


def proof_file(theorem: Theorem, proof: str, header: str | None = None) -> str:
    header = theorem.header if header is None else header
    return f"{header}\n\n{theorem.statement}\nProof.\n{proof}\nQed.\n\nPrint Assumptions {theorem.name}.\n"


def verify(
    theorem: Theorem,
    proof: str,
    header: str | None = None,
    timeout: float = 120.0,
    memory_mb: int | None = 2048,
    coqc: str = "coqc",
) -> Verdict:
    """Check header + statement + proof with a fresh coqc and audit the axioms it relies on."""
    t0 = time.perf_counter()

    def no(reason: str, axioms: tuple[str, ...] = ()) -> Verdict:
        return Verdict(ok=False, reason=reason, axioms=axioms, seconds=time.perf_counter() - t0)

    try:
        tactic_sentences(proof)
    except RefusedTactic as e:
        return no(f"proof refused: {e}")
    with tempfile.TemporaryDirectory(prefix="prover-coq-") as d:
        path = Path(d) / "Check.v"
        path.write_text(proof_file(theorem, proof, header), encoding="utf-8")

        code, out = run_in_session(
            [coqc, "-q", path.name],
            timeout,
            cwd=d,
            env=environment(),
            memory_bytes=memory_mb * 2**20 if memory_mb else None,
        )
    if code is None:
        return no(f"coqc did not finish within {timeout:.0f} s")
    if code != 0:
        return no(f"coqc rejected the proof: {_first_error(out)}")
    axioms, others = parse_assumptions(out, theorem.name)
    if others:
        return no(f"Print Assumptions reports {', '.join(others)}", tuple(axioms))
    allowed = STDLIB_AXIOMS | declared_axioms(theorem.header if header is None else header)
    extra = [a for a in axioms if a not in allowed]
    if extra:
        return no(
            f"proof relies on axioms beyond the libraries': {', '.join(extra)}", tuple(axioms)
        )
    return Verdict(ok=True, axioms=tuple(axioms), seconds=time.perf_counter() - t0)


def _first_error(out: str) -> str:
    i = out.find("Error:")
    text = out[i:] if i >= 0 else out
    return " ".join(text.split())[:500]
