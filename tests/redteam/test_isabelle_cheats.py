"""Red team, Isabelle: every cheat class of issue 10 (items 11, 12) and DESIGN.md, as a case.

Isabelle cannot be installed on the CI machines, so the cases go through the real filter and
verdict against the protocol STAND-IN of `isabelle server` (tests/isabelle/standin_server.py:
it speaks the wire protocol and accepts `by auto` for the toy theorem; it proves nothing).
Every case here must be refused before the server is even asked, so the stand-in's
leniency cannot make a case pass. The live case runs where `isabelle` is on PATH.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from prover.isabelle.check import check_file, split_file
from prover.proofenv import ProofEnvError
from prover.theorem import Theorem
from tests.isabelle.isabelle_support import TOY

SHORT = Theorem(
    "short",
    "isabelle",
    'theorem short: "(2::nat) + 2 = 5"',
    header="theory short imports Complex_Main\nbegin\n",
)

# (class, theorem, proof), each to be refused without a check: isabelle_cheats.json beside
# this file ("theorem" names TOY or SHORT).
CASES = [
    (row["what"], {"toy": TOY, "short": SHORT}[row["theorem"]], row["proof"])
    for row in json.loads(Path(__file__).with_name("isabelle_cheats.json").read_text("utf-8"))
]


@pytest.mark.parametrize(("what", "theorem", "proof"), CASES, ids=[c[0] for c in CASES])
def test_cheat_is_refused_before_the_check(standin, what, theorem, proof):
    env, control = standin
    control.configure(accept=["auto"])
    v = env.verify(theorem, proof)
    assert not v.ok, what
    assert control.commands() == [], what  # refused before Isabelle is even asked


HEADER_CASES = [
    ("axiom in the header", "axiomatization where ax: False\n"),
    ("helper lemma left unproved in the header", 'lemma h: "False" sorry\n'),
    ("ML in the header", "ML \\<open>Skip_Proof.make_thm\\<close>\n"),
]


@pytest.mark.parametrize(("what", "extra"), HEADER_CASES, ids=[c[0] for c in HEADER_CASES])
def test_header_cheats_are_refused(standin, what, extra):
    env, control = standin
    control.configure(accept=["auto"])
    theorem = Theorem(TOY.name, "isabelle", TOY.statement, TOY.header + extra)
    v = env.verify(theorem, "by auto")
    assert not v.ok and "header" in v.reason, what


def test_honest_proofs_pass(standin):
    env, control = standin
    control.configure(accept=["auto", "sos"])
    assert env.verify(TOY, "(* sorry, in a comment *) by auto").ok
    assert env.verify(TOY, '\\<comment> \\<open>not a "sorry"\\<close>\nby auto').ok
    assert env.verify(TOY, TOY.statement + "\n  by auto").ok  # a restatement, unchanged
    assert env.verify(TOY, "by sos").ok


def thy(theorem: Theorem, proof: str) -> str:
    return f"{theorem.header}\n{theorem.statement}\n  {proof}\n\nend\n"


FILE_CASES = [
    ("assumption added", TOY.statement.replace("shows", 'assumes h1: "False"\n  shows')),
    ("conclusion changed", TOY.statement.replace('"x = 3"', '"x = x"')),
    ("header redefines a constant", None),
]


@pytest.mark.parametrize(("what", "statement"), FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_file_that_is_not_the_benchmarks_theorem_is_rejected(tmp_path, what, statement):
    header = TOY.header + ('definition real :: nat where "real = 3"\n' if statement is None else "")
    path = tmp_path / "toy.thy"
    changed = Theorem(TOY.name, "isabelle", statement or TOY.statement, header)
    path.write_text(thy(changed, "by auto"), encoding="utf-8")
    v = check_file(path, TOY, None)
    assert not v.ok and "not" in v.reason, what


def test_file_split(tmp_path):
    theorem, proof = split_file(thy(TOY, "by auto"))
    assert (theorem.name, theorem.statement, proof) == ("toy", TOY.statement, "by auto")
    with pytest.raises(ValueError, match="no theorem other"):
        split_file(thy(TOY, "by auto"), "other")


def test_imports_outside_the_heap_are_an_error_not_invalid(standin):
    env, control = standin
    control.configure(accept=["auto"], missing_imports=["Symmetric_Polynomials.Vieta"])
    afp = Theorem(
        "vieta",
        "isabelle",
        TOY.statement.replace("toy", "vieta"),
        'theory vieta imports Complex_Main "Symmetric_Polynomials.Vieta"\nbegin\n',
    )
    with pytest.raises(ProofEnvError, match="outside the MiniF2F heap") as e:
        env.check_statement(afp)
    assert type(e.value) is ProofEnvError  # not InvalidStatement


def test_a_theory_the_server_keeps_after_a_timeout_gets_a_new_session(standin):
    env, control = standin
    control.configure(accept=["auto"], retain=True)
    first = env.check(TOY, "by auto (* HANG *)", timeout=1)
    assert first.timed_out
    assert env.server.purge_restarts == 1 and control.commands().count("session_start") == 2
    control.configure(accept=["auto"])
    assert env.check(TOY, "by auto").ok and env.server.purge_restarts == 1


@pytest.mark.skipif(
    shutil.which("isabelle") is None,
    reason="Isabelle is not installed here (it needs the official distribution)",
)
def test_live_cheats_are_rejected(data_dir):
    from prover.isabelle import create_env

    env = create_env(check_timeout=120)
    try:
        for what, theorem, proof in CASES:
            assert not env.verify(theorem, proof).ok, what
        # `sos` needs HOL-Library.Sum_of_Squares, which every checked theory now imports.
        sos = Theorem(
            "sos_check",
            "isabelle",
            'theorem sos_check: "(x::real)^2 + y^2 \\<ge> 2 * x * y"',
            header="theory sos_check imports Complex_Main\nbegin\n",
        )
        assert env.verify(sos, "by sos").ok
    finally:
        env.close()


def test_case_counts():
    """The red-team count the closing note reports (cases tried; every one must be rejected)."""
    assert len(CASES) + len(HEADER_CASES) + len(FILE_CASES) == 29 + 3 + 3
