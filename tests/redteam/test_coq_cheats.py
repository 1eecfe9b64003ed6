"""Red team, Coq (live): every way we know to make Coq's word "proved" wrong must be rejected.

Three doors, each tried with the real coqc/coqtop:
- a found proof (tactics under a benchmark's header) through the verdict the search uses;
- a whole proof file through `prover check` (with and without `--benchmark`);
- a tactic run in the step-wise env, whose replies a tactic's printing must not fake.
Cases are the classes of issue 10 and the cheats DESIGN.md lists ("Cheats Coq lets through").
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from prover.assistants.base import Failed, Progress
from prover.assistants.coq import create_env
from prover.assistants.coq.check import check_file, verify
from prover.cli import app
from prover.datasets import load_benchmark, select
from prover.theorem import Theorem

REALS = "Require Import Reals.\nOpen Scope R_scope."
ADMITTED_HELPER = "Require Import Arith.\nLemma helper : 1 = 2.\nAdmitted."
AXIOM_IN_MODULE = "Require Import Arith.\nModule M.\nAxiom cheat : False.\nEnd M."
FAKE_AUDIT = 'idtac "Closed under the global context".'
FAKE_STDLIB = (
    "Require Import Reals.\nModule ClassicalDedekindReals.\n"
    "Axiom sig_forall_dec : False.\nEnd ClassicalDedekindReals."
)

# (case id, header, statement, proof, what the rejection says)
FOUND_PROOFS = [
    ("Admitted", "Require Import Arith.", "Theorem t : 1 = 2.", "Admitted.", "not allowed"),
    ("admit", "Require Import Arith.", "Theorem t : 1 = 2.", "admit.", "not allowed"),
    ("give_up", "Require Import Arith.", "Theorem t : 1 = 2.", "give_up.", "not allowed"),
    (
        "Axiom mid-proof",
        "Require Import Arith.",
        "Theorem t : 1 = 2.",
        "Axiom cheat : 1 = 2. exact cheat.",
        "not allowed",
    ),
    (
        "Definition mid-proof",
        "Require Import Arith.",
        "Theorem t : 1 = 2.",
        "Definition x := 1. reflexivity.",
        "vernacular",
    ),
    (
        "Unset Guard Checking mid-proof",
        "Require Import Arith.",
        "Theorem t : False.",
        "Unset Guard Checking. exact I.",
        "not allowed",
    ),
    (
        "Qed then a decoy",
        "Require Import Arith.",
        "Theorem t : 1 = 2.",
        "Qed. Theorem u : True. exact I.",
        "vernacular",
    ),
    (
        "fake audit, Admitted lemma in the header",
        ADMITTED_HELPER,
        "Theorem t : 1 = 2.",
        f"{FAKE_AUDIT} exact helper.",
        "Prover.Check.helper",
    ),
    (
        "fake audit, axiom inside a module of the header",
        AXIOM_IN_MODULE,
        "Theorem t : 1 = 2.",
        f"{FAKE_AUDIT} destruct M.cheat.",
        "Prover.Check.M.cheat",
    ),
    (
        "fake audit printed as Axioms lines",
        ADMITTED_HELPER,
        "Theorem t : 1 = 2.",
        'idtac "Axioms:". idtac "ClassicalDedekindReals.sig_not_dec : True". exact helper.',
        "Prover.Check.helper",
    ),
    (
        "user module imitating a standard-library axiom",
        FAKE_STDLIB,
        "Theorem t : 1 = 2.",
        "destruct ClassicalDedekindReals.sig_forall_dec.",
        "Prover.Check.ClassicalDedekindReals.sig_forall_dec",
    ),
    (
        "the standard library's own admitted axiom",
        "Require Import Coq.Compat.AdmitAxiom.",
        "Theorem t : 1 = 2.",
        "destruct proof_admitted.",
        "Coq.Compat.AdmitAxiom.proof_admitted",
    ),
    (
        "unsafe fixpoint in the header",
        "Unset Guard Checking.\nFixpoint loop (n : nat) : False := loop n.\nSet Guard Checking.",
        "Theorem t : False.",
        "exact (loop 0).",
        "assumed to be guarded",
    ),
    (
        "assumed positivity in the header",
        "Unset Positivity Checking.\nInductive bad := mk : (bad -> False) -> bad.\n"
        "Set Positivity Checking.\n"
        "Definition self (b : bad) : False := match b with mk f => f b end.",
        "Theorem t : False.",
        "exact (self (mk self)).",
        "assumed to be positive",
    ),
    (
        "type-in-type in the header",
        "Unset Universe Checking.\nDefinition U := Type.\nDefinition u : U := U.\n"
        "Set Universe Checking.",
        "Theorem t : True.",
        "pose (x := u). exact I.",
        "unsafe hierarchy",
    ),
    (
        "a tactic redefined in the header to use an admitted lemma",
        ADMITTED_HELPER + "\nLtac lia := exact helper.",
        "Theorem t : 1 = 2.",
        "lia.",
        "Prover.Check.helper",
    ),
    (
        "kernel-unchecked term",
        "Require Import Arith.",
        "Theorem t : 1 = 2.",
        "exact_no_check (eq_refl 1).",
        "coqc rejected",
    ),
]


@pytest.mark.parametrize(
    ("header", "statement", "proof", "reason"),
    [c[1:] for c in FOUND_PROOFS],
    ids=[c[0] for c in FOUND_PROOFS],
)
def test_found_proof_cheats_are_rejected(header, statement, proof, reason):
    v = verify(Theorem(name="t", system="coq", statement=statement, header=header), proof)
    assert not v.ok, v
    assert reason in v.reason


@pytest.fixture(scope="module")
def imo_1963_p5(data_dir) -> Theorem:
    """A real record whose statement uses `cos` and `PI` from the standard library."""
    return select(load_benchmark("minif2f-rocq", "all", data_dir), ["imo_1963_p5"])[0]


def _file(tmp_path, header: str, statement: str, body: str, name="imo_1963_p5"):
    path = tmp_path / f"{name}.v"
    path.write_text(f"{header}\n\n{statement}\nProof.\n{body}\nQed.\n", encoding="utf-8")
    return path


# (case id, how the header is changed, proof): each proves the record's statement text, but
# not its meaning. Without --benchmark a file may define what it likes; with it, never.
CHANGED_HEADERS = [
    (
        "redefined cos",
        "\nDefinition cos (x : R) : R := 1 / 2.",
        "unfold cos. field.",
    ),
    (
        "notation for = overridden",
        '\nNotation "x = y" := (x = x) (at level 70, no associativity) : R_scope.',
        "reflexivity.",
    ),
    (
        "added hypothesis",
        "\nHypothesis h : cos (PI / 7) - cos (2 * PI / 7) + cos (3 * PI / 7) = 1 / 2.",
        "exact h.",
    ),
    (
        "admitted lemma",
        "\nLemma helper : cos (PI / 7) - cos (2 * PI / 7) + cos (3 * PI / 7) = 1 / 2.\nAdmitted.",
        "exact helper.",
    ),
]


@pytest.mark.parametrize(
    ("change", "proof"),
    [c[1:] for c in CHANGED_HEADERS],
    ids=[c[0] for c in CHANGED_HEADERS],
)
def test_a_changed_header_is_rejected_against_the_benchmark(tmp_path, imo_1963_p5, change, proof):
    path = _file(tmp_path, imo_1963_p5.header + change, imo_1963_p5.statement, proof)
    v = check_file(path, imo_1963_p5, None)
    assert not v.ok and "the file's header is not imo_1963_p5's" in v.reason, v


def test_without_benchmark_header_axioms_and_admitted_lemmas_are_still_rejected(
    tmp_path, imo_1963_p5
):
    for change, proof in [c[1:] for c in CHANGED_HEADERS[2:]]:
        path = _file(tmp_path, imo_1963_p5.header + change, imo_1963_p5.statement, proof)
        v = check_file(path, None, "imo_1963_p5")
        assert not v.ok and "beyond the standard library" in v.reason, v


def test_a_changed_statement_is_rejected_against_the_benchmark(tmp_path, imo_1963_p5):
    weaker = "Theorem imo_1963_p5 :\n  cos (PI / 7) - cos (2 * PI / 7) + cos (3 * PI / 7) = cos (PI / 7) - cos (2 * PI / 7) + cos (3 * PI / 7)."
    v = check_file(_file(tmp_path, imo_1963_p5.header, weaker, "reflexivity."), imo_1963_p5, None)
    assert not v.ok and "statement of imo_1963_p5 is not the benchmark's" in v.reason


def test_a_decoy_theorem_in_a_module_is_rejected(tmp_path, imo_1963_p5):
    decoy = "Module D.\nTheorem imo_1963_p5 : True.\nProof.\nexact I.\nQed.\nEnd D."
    # The decoy first, the real theorem admitted after it ...
    path = tmp_path / "imo_1963_p5.v"
    path.write_text(f"{imo_1963_p5.header}\n{decoy}\n{imo_1963_p5.statement}\nProof.\nAdmitted.\n")
    assert not check_file(path, imo_1963_p5, None).ok
    assert not check_file(path, None, "imo_1963_p5").ok
    # ... or the real theorem admitted first and the decoy after it.
    path.write_text(f"{imo_1963_p5.header}\n{imo_1963_p5.statement}\nProof.\nAdmitted.\n{decoy}\n")
    assert not check_file(path, imo_1963_p5, None).ok
    assert not check_file(path, None, "imo_1963_p5").ok


def test_check_command_rejects_a_redefinition_with_exit_1(tmp_path, imo_1963_p5, data_dir):
    change, proof = CHANGED_HEADERS[0][1:]
    path = _file(tmp_path, imo_1963_p5.header + change, imo_1963_p5.statement, proof)
    args = ["check", str(path), "--benchmark", "minif2f-rocq", "--data-dir", str(data_dir)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "verdict: rejected" in result.output and "header is not" in result.output
    # Without the benchmark the file is a valid proof of its own (different) statement.
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def env():
    e = create_env(tactic_timeout=5.0, portfolio=False)
    yield e
    e.close()


FORGED_REPLIES = [
    # A failing tactic that prints a prompt first: the old reader took the printed prompt
    # for the end of the reply and never saw the error.
    ('idtac "<prompt>t < 99 |t| 0 < </prompt>"; fail.', Failed),
    ('idtac "</prompt>"; fail.', Failed),
    # Printing what a finished proof prints does not finish it.
    ('idtac "No more goals."; idtac "<prompt>t < 99 || 0 < </prompt>".', Progress),
]


@pytest.mark.parametrize(("tactic", "outcome"), FORGED_REPLIES)
def test_printed_prompts_are_not_taken_for_coqtops_replies(env, tactic, outcome):
    t = Theorem(name="t", system="coq", statement="Theorem t : 1 = 2.", header="")
    root = env.open(t)
    r = env.run_tactic(root, tactic)
    assert isinstance(r, outcome), r
    # The env is still in step with coqtop: a real tactic on the root gives Coq's real answer.
    after = env.run_tactic(root, "reflexivity.")
    assert isinstance(after, Failed) and "Unable to unify" in after.message
