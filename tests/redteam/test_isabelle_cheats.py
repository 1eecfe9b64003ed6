"""Red team, Isabelle: every cheat class of issues 10 (items 11, 12) and 17 (items 5, 6) and
DESIGN.md, as a case.

Isabelle cannot be installed on the CI machines, so the cases go through the real filter and
verdict against the protocol STAND-IN of `isabelle server` (tests/isabelle/standin_server.py:
it speaks the wire protocol, accepts the methods a test names and answers the oracle audit's
`thm_oracles` in Isabelle's format; it proves nothing). The filter cases must be refused
before the server is even asked, so the stand-in's leniency cannot make them pass; the audit
cases are those only Isabelle's own answer can decide (an oracle the proof rests on). Each
filter case is also run through `static_check` (`prover check FILE.thy --static`) as a file.
The live case runs where `isabelle` is on PATH.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from prover.assistants.base import ProofEnvError, Status
from prover.assistants.isabelle.check import NOT_A_VERDICT, check_file, split_file, static_check
from prover.methods.result import proved_status
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
    ("code_printing in the header", 'code_printing constant HOL.False \u21c0 (SML) "true"\n'),
    ("smt_oracle declared in the header", "declare [[smt_oracle]]\n"),
    ("quick_and_dirty declared in the header", "declare [[quick_and_dirty = true]]\n"),
    ("oracle declaration in the header", "oracle cheat = \\<open>fn ct => ct\\<close>\n"),
    (
        "ML antiquotation in a header text",
        "text \u2039@{ML \u2039Skip_Proof.make_thm\u203a}\u203a\n",
    ),
]


@pytest.mark.parametrize(("what", "extra"), HEADER_CASES, ids=[c[0] for c in HEADER_CASES])
def test_header_cheats_are_refused(standin, what, extra):
    env, control = standin
    control.configure(accept=["auto"])
    theorem = Theorem(TOY.name, "isabelle", TOY.statement, TOY.header + extra)
    v = env.verify(theorem, "by auto")
    assert not v.ok and "header" in v.reason, what


HONEST = [
    "by auto",
    "by simp",
    "by (simp add: field_simps)",
    "by (metis add.commute mult.commute)",
    "by (smt (verit) add_pos_pos)",  # a sledgehammer-found smt proof, reconstructed
    "by sos",
    "(* sorry, in a comment *) by auto",
    '\\<comment> \\<open>not a "sorry"\\<close>\nby auto',
    TOY.statement + "\n  by auto",  # a restatement, unchanged
    'proof -\n  have h: "3 * x = 9" using h0 by auto\n  then show ?thesis by auto\nqed',
    "using h0 by (simp add: algebra_simps)",
]


@pytest.mark.parametrize("proof", HONEST, ids=range(len(HONEST)))
def test_honest_proofs_pass(standin, proof):
    env, control = standin
    methods = ["auto", "simp", "sos", "(simp add: field_simps)", "(metis add.commute mult.commute)"]
    control.configure(accept=[*methods, "(smt (verit) add_pos_pos)", "(simp add: algebra_simps)"])
    v = env.verify(TOY, proof)
    assert v.ok and proved_status(v) is Status.PROVED, v.reason


# (class, stand-in oracle rules, proof, expected): what only the audit (Isabelle's own
# thm_oracles answer) decides. "code" = accepted as proved_code_oracle, never plain proved.
AUDIT_CASES = [
    ("by eval rests on the code generator", {}, "by eval", "code"),
    ("by normalization rests on the code generator", {}, "by normalization", "code"),
    ("eval inside an Isar proof", {}, "proof -\n  show ?thesis by eval\nqed", "code"),
    ("skip_proof the filter could not see", {"auto": ["skip_proof"]}, "by auto", "rejected"),
    ("SMT's oracle (smt_oracle set out of sight)", {"auto": ["smt"]}, "by auto", "rejected"),
    ("a declared oracle", {"auto": ["cheat"]}, "by auto", "rejected"),
    (
        "a spoof of the code oracle's name",
        {"auto": ["X.holds_by_evaluation"]},
        "by auto",
        "rejected",
    ),
]


@pytest.mark.parametrize(
    ("what", "oracles", "proof", "expected"), AUDIT_CASES, ids=[c[0] for c in AUDIT_CASES]
)
def test_audit_cases(standin, what, oracles, proof, expected):
    env, control = standin
    control.configure(accept=["auto", "eval", "normalization"], oracles=oracles)
    v = env.verify(TOY, proof)
    if expected == "code":
        assert v.ok and proved_status(v) is Status.CODE_ORACLE, what
    else:
        assert not v.ok and "oracle" in v.reason, what
    assert control.commands().count("use_theories") == 1  # it reached Isabelle: the audit decided


def write_file(tmp_path: Path, theorem: Theorem, proof: str) -> Path:
    path = tmp_path / f"{theorem.name}.thy"
    path.write_text(thy(theorem, proof), encoding="utf-8")
    return path


@pytest.mark.parametrize(("what", "theorem", "proof"), CASES, ids=[c[0] for c in CASES])
def test_static_check_refuses_each_filter_case(tmp_path, what, theorem, proof):
    """`prover check --static --benchmark`: the same refusals, from a file, without Isabelle
    (a file that continues the statement states another theorem: the comparison refuses it)."""
    v = static_check(write_file(tmp_path, theorem, proof), theorem)
    assert not v.ok, what


@pytest.mark.parametrize(("what", "extra"), HEADER_CASES, ids=[c[0] for c in HEADER_CASES])
def test_static_check_refuses_untrusted_headers(tmp_path, what, extra):
    theorem = Theorem(TOY.name, "isabelle", TOY.statement, TOY.header + extra)
    v = static_check(write_file(tmp_path, theorem, "by auto"))
    assert not v.ok and "header" in v.reason, what


@pytest.mark.parametrize("proof", [p for p in HONEST if not p.startswith("theorem")])
def test_static_check_passes_honest_proofs(tmp_path, proof):
    v = static_check(write_file(tmp_path, TOY, proof), TOY)
    assert v.ok and v.reason == NOT_A_VERDICT, v.reason


def test_static_check_names_the_code_oracle(tmp_path):
    v = static_check(write_file(tmp_path, TOY, "by eval"))
    assert (
        v.ok and "proved_code_oracle" in v.reason and v.details["code_oracle_methods"] == ["eval"]
    )


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
    from prover.assistants.isabelle import create_env

    env = create_env(check_timeout=120)
    try:
        for what, theorem, proof in CASES:
            assert not env.verify(theorem, proof).ok, what
        # The audit, for real: eval rests on the code generator's oracle.
        two = Theorem(
            "two",
            "isabelle",
            'theorem two: "(2::nat) + 2 = 4"',
            header="theory two imports Complex_Main\nbegin\n",
        )
        v = env.verify(two, "by eval")
        assert v.ok and v.status is Status.CODE_ORACLE, v.reason
        assert env.verify(two, "by simp").status is None
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
    """The red-team count the closing note reports: cheats tried (refused at the filter, at
    the audit, by the file comparison), code-oracle proofs (accepted with their own status),
    honest proofs (accepted)."""
    audit_rejected = [c for c in AUDIT_CASES if c[3] == "rejected"]
    assert (len(CASES), len(HEADER_CASES), len(audit_rejected), len(FILE_CASES)) == (52, 8, 4, 3)
    assert (len(AUDIT_CASES) - len(audit_rejected), len(HONEST)) == (3, 11)
