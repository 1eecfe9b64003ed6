"""Coq's verdict pieces: what a proof may contain, proof files, the audit's reading, `prover check`."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from prover.assistants.base import Finished, Progress
from prover.assistants.coq import create_env
from prover.assistants.coq.check import (
    AuditError,
    ProofFileError,
    declared_axioms,
    parse_assumptions,
    parse_proof_file,
    tactic_sentences,
    verify,
)
from prover.cli import app
from prover.theorem import Theorem

runner = CliRunner()


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("1:{ lia. }", ["1:{", "lia.", "}"]),
        ("split. 2: { lia. } lia.", ["split.", "2:{", "lia.", "}", "lia."]),
        ("[x]:{ auto. }", ["[x]:{", "auto.", "}"]),
        ("Lia.lia.", ["Lia.lia."]),
        ("Coq.micromega.Lia.lia.", ["Coq.micromega.Lia.lia."]),
        ("all: Lia.lia.", ["all: Lia.lia."]),
        ("1-2: lia.", ["1-2: lia."]),
    ],
)
def test_goal_selector_braces_and_qualified_tactics_are_tactics(text, sentences):
    assert tactic_sentences(text) == sentences


@pytest.mark.parametrize("text", ["Lemma x : True.", "Qed.", "Print Assumptions t.", "Fail lia."])
def test_vernacular_is_still_refused(text):
    with pytest.raises(ValueError, match="vernacular"):
        tactic_sentences(text)


def test_selector_braces_and_qualified_tactics_run_and_check():
    env = create_env(tactic_timeout=5.0, portfolio=False)
    try:
        t = Theorem(
            name="t",
            system="coq",
            statement="Theorem t : forall n : nat, n + 0 = n /\\ 0 + n = n.",
            header="Require Import Lia.",
        )
        root = env.open(t)
        s = env.run_tactic(root, "intro n. split.")
        s = env.run_tactic(s.state, "2:{ Coq.micromega.Lia.lia.")
        assert isinstance(s, Progress), s
        s = env.run_tactic(s.state, "}")
        done = env.run_tactic(s.state, "Lia.lia.")
        assert isinstance(done, Finished), done
        proof = env.proof_text(["intro n. split.", "2:{ Coq.micromega.Lia.lia.", "}", "Lia.lia."])
        assert env.verify(t, proof).ok
    finally:
        env.close()


FILE = """Require Import Arith.
Lemma helper : forall n, n + 0 = n. Proof. intro n. now rewrite Nat.add_0_r. Qed.

(* the theorem under test is not the first of the file *)
Fact main_fact : 2 + 0 = 2. Proof. apply helper. Qed.
"""


def test_a_proof_file_is_cut_at_the_named_theorem():
    pf = parse_proof_file(FILE, "main_fact")
    assert pf.names == ("helper", "main_fact")
    assert pf.statement == "Fact main_fact : 2 + 0 = 2."
    assert pf.header.startswith("Require Import Arith.") and "Lemma helper" in pf.header
    assert pf.proof == "apply helper." and pf.trailer == ""
    with pytest.raises(ProofFileError, match="several theorems .helper, main_fact."):
        parse_proof_file(FILE)
    with pytest.raises(ProofFileError, match="no theorem named 'nope'"):
        parse_proof_file(FILE, "nope")


@pytest.mark.parametrize(
    "kind", ["Theorem", "Lemma", "Fact", "Remark", "Corollary", "Proposition", "Example"]
)
def test_every_theorem_keyword_and_one_line_statements(kind):
    pf = parse_proof_file(f"{kind} x : 1 = 1. Proof. reflexivity. Qed.")
    assert (pf.name, pf.statement, pf.proof) == ("x", f"{kind} x : 1 = 1.", "reflexivity.")


def test_helper_lemmas_become_the_header_of_a_found_proof():
    pf = parse_proof_file(FILE, "main_fact")
    t = Theorem(name=pf.name, system="coq", statement=pf.statement, header=pf.header)
    v = verify(t, "apply helper.")
    assert v.ok and v.axioms == ()


def test_declared_axioms_are_the_headers_top_level_ones():
    header = (
        "Parameter f : nat -> nat.\nAxioms (a b : f 0 = 0).\nHypothesis h : True.\n"
        "Module M.\nAxiom hidden : False.\nEnd M.\nModule N := M.\nAxiom after : True."
    )
    assert declared_axioms(header) == {f"Prover.Check.{n}" for n in ("f", "a", "b", "h", "after")}


def test_the_audit_reading_fails_closed():
    assert parse_assumptions("Closed under the global context") == ([], [])
    names, unsafe = parse_assumptions(
        "Fetching opaque proofs from disk for Prover.Check\nAxioms:\n"
        "Classical_Prop.classic : forall P : Prop, P \\/ ~ P\n"
        "Check.long\n  : forall x : nat,\n    x = x\n"
        "Check.loop is assumed to be guarded.\n"
    )
    assert names == ["Classical_Prop.classic", "Check.long"]
    assert unsafe == ["Check.loop is assumed to be guarded."]
    # Anything else at the start of a line is not trusted.
    for bad in [
        "Closed under the global context\nAxioms:\nx : False",
        "Opaque:\nx : False",
        "junk",
    ]:
        with pytest.raises(AuditError):
            parse_assumptions(bad)


def run(*args: str):
    result = runner.invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())


def test_check_command_exit_codes(tmp_path):
    good = tmp_path / "good.v"
    good.write_text(
        "Require Import Classical.\nTheorem em : forall P : Prop, P \\/ ~ P.\n"
        "Proof. intro P. apply classic. Qed.\n"
    )
    code, out = run("check", str(good))
    assert code == 0 and "verdict: accepted" in out
    assert "axioms: Coq.Logic.Classical_Prop.classic" in out  # the kernel name
    bad = tmp_path / "bad.v"
    bad.write_text("Axiom cheat : False.\nTheorem t : 1 = 2.\nProof. destruct cheat. Qed.\n")
    code, out = run("check", str(bad))
    assert code == 1 and "verdict: rejected" in out and "Prover.Check.cheat" in out
    several = tmp_path / "several.v"
    several.write_text(FILE)
    code, out = run("check", str(several))
    assert code == 2 and "several theorems (helper, main_fact)" in out
    code, out = run("check", str(several), "--theorem", "main_fact")
    assert code == 0, out


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("missing.v", "not found"),
        ("notes.txt", "expected a .v, .lean or .thy file"),
    ],
)
def test_check_command_bad_input(tmp_path, name, needle):
    path = tmp_path / name
    if name.endswith(".txt"):
        path.write_text("x")
    code, out = run("check", str(path))
    assert code == 2 and "error:" in out and needle in out


def test_check_command_for_a_backend_without_check_file(tmp_path, monkeypatch):
    import prover.assistants.lean

    monkeypatch.delattr(prover.assistants.lean, "check_file", raising=False)
    path = tmp_path / "x.lean"
    path.write_text("theorem x : True := trivial\n")
    code, out = run("check", str(path))
    assert code == 2 and "checking lean files is not supported yet" in out


def test_check_command_against_a_benchmark_record(tmp_path, data_dir):
    path = tmp_path / "mathd_algebra_10.v"
    code, out = run("check", str(path), "--benchmark", "minif2f-rocq", "--data-dir", str(data_dir))
    assert code == 2  # no such file
    path = tmp_path / "not_a_benchmark_name.v"
    path.write_text("Theorem not_a_benchmark_name : True. Proof. exact I. Qed.\n")
    code, out = run("check", str(path), "--benchmark", "minif2f-rocq", "--data-dir", str(data_dir))
    assert code == 2 and "--theorem" in out


def test_prove_names_the_theorems_of_a_file_with_several(tmp_path):
    path = tmp_path / "several.v"
    path.write_text(FILE)
    code, out = run("prove", str(path))
    assert code == 2 and "several theorems (helper, main_fact)" in out
    code, out = run("prove", str(path), "--theorem", "nope")
    assert code == 2 and "no theorem named 'nope'" in out
