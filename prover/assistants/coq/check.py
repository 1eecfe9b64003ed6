"""What may enter a Coq proof, and the from-scratch verdict on a finished one.

Coq itself lets cheats through: `coqc` accepts `Admitted.` with exit 0, and vernacular
such as `Axiom` or `Unset Guard Checking` is accepted in the middle of a proof. So only
tactics, bullets and braces may enter a proof (vernacular starts with a capital letter;
tactics do not, unless qualified like `Lia.lia`), and `admit`/`give_up` are refused wherever
they appear.

The verdict compiles header + statement + proof with a fresh `coqc` into a `.vo`, then
audits it in a second process that loads only that `.vo` (`Require`, no `Import`, so no
notation of the proof's is active there) and asks `Print Assumptions` for the theorem's
kernel name. Nothing the proof prints while it is compiled (`idtac "Closed under the
global context"`) can reach that process. Each assumption's printed name is resolved to
its kernel name with `About`, so a user module imitating a standard-library name
(`Check.ClassicalDedekindReals.sig_forall_dec`) is not the standard library's axiom.
Unsafe definitions (`Unset Guard Checking`, assumed positivity) appear in the same listing
as "X is assumed to be ..." and are refused.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from prover.assistants.base import ProofEnvError, Verdict
from prover.assistants.coq.coqtop import Coqtop
from prover.assistants.coq.sentences import SentenceError, sentence_spans, split_sentences
from prover.assistants.coq.toolchain import environment
from prover.assistants.filecheck import verdict_on_file
from prover.assistants.process import run_in_session
from prover.theorem import Theorem

# The standard library's own axioms, by kernel name: the ones miniF2F statements and
# honest proofs legitimately rely on (classical logic, choice, extensionality, the Reals).
# Not every axiom under `Coq.` is one of them: Coq.Compat.AdmitAxiom.proof_admitted is False.
STDLIB_AXIOMS = frozenset(
    {
        "Coq.Logic.Classical_Prop.classic",
        "Coq.Logic.FunctionalExtensionality.functional_extensionality_dep",
        "Coq.Logic.PropExtensionality.propositional_extensionality",
        "Coq.Logic.ProofIrrelevance.proof_irrelevance",
        "Coq.Logic.Eqdep.Eq_rect_eq.eq_rect_eq",
        "Coq.Logic.JMeq.JMeq_eq",
        "Coq.Logic.ClassicalEpsilon.constructive_indefinite_description",
        "Coq.Logic.IndefiniteDescription.constructive_indefinite_description",
        "Coq.Logic.Description.constructive_definite_description",
        "Coq.Logic.ClassicalUniqueChoice.dependent_unique_choice",
        "Coq.Logic.RelationalChoice.relational_choice",
        "Coq.Logic.Epsilon.epsilon_statement",
        "Coq.Logic.ExtensionalFunctionRepresentative.extensional_function_representative",
        "Coq.Reals.ClassicalDedekindReals.sig_forall_dec",
        "Coq.Reals.ClassicalDedekindReals.sig_not_dec",
        "Coq.Sets.Ensembles.Extensionality_Ensembles",
    }
)
# Specifications of the kernel's primitive integers, floats and arrays.
STDLIB_AXIOM_MODULES = (
    "Coq.Numbers.Cyclic.Int63.Uint63.",
    "Coq.Numbers.Cyclic.Int63.Sint63.",
    "Coq.Floats.FloatAxioms.",
    "Coq.Array.PArray.",
)
LIBRARY = "Prover.Check"  # the compiled file's logical name: its declarations are Prover.Check.*
THEOREM_KINDS = ("Theorem", "Lemma", "Fact", "Remark", "Corollary", "Proposition", "Example")

_FORBIDDEN_WORDS = re.compile(
    r"(?<![\w'.])(admit|give_up|Admitted|Abort|Axiom|Parameter|Unset|Guard)(?![\w'])"
)
_BRACE = re.compile(r"^(-+|\++|\*+|\{|\}|(\d+|\[[\w']+\]):\{)$")
_SELECTOR = re.compile(r"^(\d+(\s*-\s*\d+)?(\s*,\s*\d+(\s*-\s*\d+)?)*|\[[\w']+\]|all|par|!)\s*:")
_QUALIFIED = re.compile(r"^[A-Z][\w']*(\.[A-Za-z_][\w']*)+(?![\w'])")
_DECLARING = re.compile(
    r"^\s*(Axiom|Axioms|Parameter|Parameters|Hypothesis|Hypotheses|Variable|Variables|Conjecture)\s+(.+?)\s*:",
    re.S,
)
_THEOREM = re.compile(
    rf"^(#\[[^\]]*\]\s*)?((Local|Global|Polymorphic|Monomorphic)\s+)*({'|'.join(THEOREM_KINDS)})\s+([A-Za-z_][\w']*)"
)


class RefusedTactic(ValueError):
    """A candidate that is not a plain tactic (vernacular, admit, an unfinished sentence)."""


class ProofFileError(ValueError):
    """A proof file that cannot be checked as it is (no theorem, several, no proof)."""


def tactic_sentences(text: str) -> list[str]:
    """Split a candidate into sentences, refusing anything but tactics, bullets and braces."""
    try:
        sentences = split_sentences(text)
    except SentenceError as e:
        raise RefusedTactic(str(e)) from None
    if not sentences:
        raise RefusedTactic("empty tactic")
    for s in sentences:
        if _BRACE.match(s):
            continue
        m = _FORBIDDEN_WORDS.search(s)
        if m:
            raise RefusedTactic(f"{m.group(1)!r} is not allowed in a proof")
        body = _SELECTOR.sub("", s).lstrip()
        if not body or not (body[0].islower() or body[0] in "([_" or _QUALIFIED.match(body)):
            raise RefusedTactic(
                f"only tactics may enter a proof, not {s.split()[0]!r} (vernacular)"
            )
    return sentences


def declared_axioms(header: str) -> set[str]:
    """Kernel names of the axioms a header declares at its top level (`Axiom`, `Parameter`,
    `Hypothesis`, ...): a benchmark's own hypotheses. An `Admitted` lemma or an axiom inside
    a module is not among them."""
    names: set[str] = set()
    try:
        sentences = split_sentences(header)
    except SentenceError:
        return names
    depth = 0  # open modules and sections: their declarations are not at the top level
    for s in sentences:
        if re.match(r"(Module|Section)\s", s) and ":=" not in s:
            depth += 1
        elif s.startswith("End "):
            depth -= 1
        elif depth == 0 and (m := _DECLARING.match(s)):
            names.update(f"{LIBRARY}.{n.strip('()')}" for n in m.group(2).split())
    return names


@dataclass(frozen=True)
class Assumptions:
    """What `Print Assumptions` lists for one theorem, by kernel name."""

    axioms: tuple[str, ...] = ()
    unsafe: tuple[str, ...] = ()  # "X is assumed to be guarded." and the like

    def beyond_stdlib(self) -> tuple[str, ...]:
        return tuple(a for a in self.axioms if not is_stdlib_axiom(a))


def is_stdlib_axiom(kernel_name: str) -> bool:
    return kernel_name in STDLIB_AXIOMS or kernel_name.startswith(STDLIB_AXIOM_MODULES)


class AuditError(ProofEnvError):
    """The audit's own output could not be read; the proof is not accepted."""


def parse_assumptions(output: str) -> tuple[list[str], list[str]]:
    """(printed axiom names, unsafe lines) from the audit process's `Print Assumptions`.

    Fails closed: any column-0 line that is neither a known section header, an entry
    (`name : type`, or a bare `name` whose type follows indented) nor an unsafe flag raises.
    """
    lines = [
        line
        for line in output.split("\n")
        if line.strip() and not line.startswith("Fetching opaque proofs from disk for ")
    ]
    if [line.strip() for line in lines] == ["Closed under the global context"]:
        return [], []
    names: list[str] = []
    unsafe: list[str] = []
    section = None
    for line in lines:
        if line[0].isspace():
            if section is None:
                raise AuditError(f"unexpected line in Print Assumptions: {line[:120]!r}")
            continue  # the type of the entry above, continued
        if line in ("Axioms:", "Section Variables:"):
            section = line
            continue
        first, _, rest = line.partition(" ")
        if section is None:
            raise AuditError(f"unexpected line in Print Assumptions: {line[:120]!r}")
        if rest.startswith("is assumed to be") or "relies on" in rest:
            unsafe.append(line.strip())
        elif section == "Section Variables:":
            unsafe.append(f"section variable {first}")
        elif rest == "" or rest.startswith(": ") or rest == ":":
            names.append(first)
        else:
            raise AuditError(f"unexpected line in Print Assumptions: {line[:120]!r}")
    if not names and not unsafe:
        raise AuditError(f"could not read Print Assumptions: {output[:200]!r}")
    return names, unsafe


# `About X.` ends with "Expands to: Constant <kernel name>" (wrapped when long); anchored at
# the end, where no type printed earlier in the answer can put it. Theorems and axioms are
# constants: a name that resolves to a notation or an inductive is not accepted.
_EXPANDS = re.compile(r"Expands to:\s+Constant\s+(\S+)\s*$")


def _kernel_name(about: str) -> str | None:
    m = _EXPANDS.search(about)
    return m.group(1) if m else None


def audit(vo_dir: Path, name: str, timeout: float, memory_mb: int | None) -> Assumptions:
    """Print Assumptions for `Prover.Check.NAME` in a fresh coqtop that loads only the .vo."""
    top = Coqtop(("-Q", str(vo_dir), "Prover"), memory_mb)
    try:
        top.start(timeout)
        deadline = time.monotonic() + timeout

        def ask(sentence: str) -> str:
            reply = top.send(sentence, max(deadline - time.monotonic(), 1.0))
            if reply.error:
                raise AuditError(f"{sentence} failed: {reply.error}")
            return reply.output

        ask(f"Require {LIBRARY}.")
        target = _kernel_name(ask(f"About {LIBRARY}.{name}."))
        if target != f"{LIBRARY}.{name}":
            raise AuditError(f"{name} is not declared at the top level of the file ({target})")
        printed, unsafe = parse_assumptions(ask(f"Print Assumptions {LIBRARY}.{name}."))
        kernel = []
        for short in printed:
            found = _kernel_name(ask(f"About {short}."))
            if found is None:
                raise AuditError(f"cannot resolve the axiom {short!r} to a kernel name")
            kernel.append(found)
        return Assumptions(tuple(kernel), tuple(unsafe))
    finally:
        top.close()


def proof_file(theorem: Theorem, proof: str, header: str | None = None) -> str:
    header = theorem.header if header is None else header
    return f"{header}\n\n{theorem.statement}\nProof.\n{proof}\nQed.\n"


def verify(
    theorem: Theorem,
    proof: str,
    header: str | None = None,
    timeout: float = 120.0,
    memory_mb: int | None = 2048,
    coqc: str = "coqc",
    header_axioms: bool = True,
) -> Verdict:
    """Compile header + statement + proof with a fresh coqc and audit the axioms it relies on.

    With `header_axioms` (the header is a benchmark's, whose hypotheses are part of the
    problem) the axioms it declares at its top level are allowed; they are reported in
    `Verdict.axioms_beyond_stdlib`, like every axiom beyond the standard library.
    """
    t0 = time.perf_counter()

    def no(reason: str, axioms: tuple[str, ...] = ()) -> Verdict:
        return Verdict(
            ok=False,
            reason=reason,
            axioms=axioms,
            axioms_beyond_stdlib=tuple(a for a in axioms if not is_stdlib_axiom(a)),
            seconds=time.perf_counter() - t0,
        )

    try:
        tactic_sentences(proof)
    except RefusedTactic as e:
        return no(f"proof refused: {e}")
    text = proof_file(theorem, proof, header)
    with tempfile.TemporaryDirectory(prefix="prover-coq-") as d:
        src, lib = Path(d) / "src", Path(d) / "lib"
        src.mkdir()
        lib.mkdir()
        (src / "Check.v").write_text(text, encoding="utf-8")
        code, out = run_in_session(
            [coqc, "-q", "-Q", ".", "Prover", "Check.v"],
            timeout,
            cwd=str(src),
            env=environment(),
            memory_bytes=memory_mb * 2**20 if memory_mb else None,
        )
        if code is None:
            return no(f"coqc did not finish within {timeout:.0f} s")
        if code != 0:
            return no(f"coqc rejected the proof: {_first_error(out)}")
        # Only the .vo moves on: nothing else the compilation wrote can reach the audit.
        shutil.move(src / "Check.vo", lib / "Check.vo")
        try:
            found = audit(
                lib, theorem.name, max(timeout - (time.perf_counter() - t0), 10.0), memory_mb
            )
        except ProofEnvError as e:
            return no(f"the axiom audit failed: {e}")
    if found.unsafe:
        return no(f"Print Assumptions reports {'; '.join(found.unsafe)}", found.axioms)
    if theorem.name and f"{LIBRARY}.{theorem.name}" in found.axioms:
        return no("the theorem itself is an axiom (Admitted)", found.axioms)
    extra = found.beyond_stdlib()
    declared = (
        declared_axioms(theorem.header if header is None else header) if header_axioms else set()
    )
    not_header = [a for a in extra if a not in declared]
    if not_header:
        where = "" if header_axioms else " (the file is checked without a benchmark's header)"
        return no(
            f"proof relies on axioms beyond the standard library{where}: {', '.join(not_header)}",
            found.axioms,
        )
    return Verdict(
        ok=True,
        axioms=found.axioms,
        axioms_beyond_stdlib=extra,
        seconds=time.perf_counter() - t0,
    )


@dataclass(frozen=True)
class ProofFile:
    """A .v file cut at the theorem under test: header, statement, proof (if any)."""

    name: str
    header: str
    statement: str
    proof: str | None  # the sentences between `Proof.` and `Qed.`; None if there is no Qed
    trailer: str  # sentences after the proof (a checked file must have none)
    names: tuple[str, ...]  # every theorem the file states, in order


def parse_proof_file(text: str, theorem_name: str | None = None) -> ProofFile:
    """Find the theorem under test (`theorem_name`, or the file's only theorem).

    Everything before it (imports, definitions, helper lemmas) is its header. A file with
    several theorems and no name given is refused with the names it holds.
    """
    try:
        spans = sentence_spans(text)
    except SentenceError as e:
        raise ProofFileError(str(e)) from None
    found = [(k, m.group(5)) for k, (_, _, s) in enumerate(spans) if (m := _THEOREM.match(s))]
    names = tuple(n for _, n in found)
    if not found:
        raise ProofFileError(f"no {'/'.join(THEOREM_KINDS)} found")
    if theorem_name is None:
        if len(set(names)) > 1:
            raise ProofFileError(
                f"the file states several theorems ({', '.join(names)}); pick one with --theorem"
            )
        theorem_name = names[0]
    at = [k for k, n in found if n == theorem_name]
    if not at:
        raise ProofFileError(
            f"no theorem named {theorem_name!r}; the file states {', '.join(names)}"
        )
    k = at[-1]
    start, end, _ = spans[k]
    rest = [s for _, _, s in spans[k + 1 :]]
    proof: str | None = None
    trailer: list[str] = rest
    if rest and rest[0] == "Proof.":
        rest = rest[1:]
    if "Qed." in rest:
        q = rest.index("Qed.")
        proof, trailer = "\n".join(rest[:q]), rest[q + 1 :]
    return ProofFile(
        name=theorem_name,
        header=text[:start].strip(),
        statement=text[start:end].strip(),
        proof=proof,
        trailer=" ".join(trailer),
        names=names,
    )


def check_file(path: Path, reference: Theorem | None, theorem_name: str | None) -> Verdict:
    """`prover check FILE.v`: the verdict a found proof gets, on one theorem of a whole file.

    The proof must end with `Qed.` and nothing may follow it. With `reference` (a benchmark's
    record) the file's header and statement must be the record's, sentence for sentence: a
    redefined name, a rebound notation, an added hypothesis or an admitted helper lemma
    changes what the statement means without changing its text. Without one, the axioms
    the file's own header declares are not allowed either. Raises ProofFileError (a
    ValueError) for a file that cannot be checked at all.
    """
    import prover.assistants.coq

    pf = parse_proof_file(
        path.read_text(encoding="utf-8"), theorem_name or (reference.name if reference else None)
    )
    if pf.proof is None:
        return Verdict(ok=False, reason=f"the proof of {pf.name} does not end with Qed.")
    if pf.trailer:
        return Verdict(
            ok=False, reason=f"the file goes on after the proof of {pf.name}: {pf.trailer[:120]!r}"
        )
    theorem = Theorem(name=pf.name, system="coq", statement=pf.statement, header=pf.header)
    return verdict_on_file(
        theorem,
        pf.proof,
        reference,
        same_sentences,
        prover.assistants.coq,
        header_axioms=reference is not None,
    )


def same_sentences(a: str, b: str) -> bool:
    """Whether two Coq texts are the same sentences (whitespace and comments aside)."""
    try:
        return split_sentences(a) == split_sentences(b)
    except SentenceError:
        return False


def _first_error(out: str) -> str:
    i = out.find("Error:")
    text = out[i:] if i >= 0 else out
    return " ".join(text.split())[:500]
