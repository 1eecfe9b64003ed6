"""Live tests against a real Isabelle (skipped where `isabelle` is not on PATH)."""

from __future__ import annotations

import shutil

import pytest

from prover.assistants.isabelle import check_installation, create_env
from prover.datasets import load_benchmark
from prover.methods import Budget, dsp, prove

pytestmark = pytest.mark.skipif(
    shutil.which("isabelle") is None,
    reason="Isabelle is not installed here (it needs the official distribution; see isabelle/README.md)",
)


@pytest.fixture(scope="module")
def env():
    problem = check_installation()
    if problem:
        pytest.fail(problem)
    e = create_env(check_timeout=120)
    yield e
    e.close()


@pytest.fixture(scope="module")
def theorems(data_dir):
    return {t.name: t for t in load_benchmark("minif2f-isabelle", "all", data_dir)}


def test_verdicts_on_a_real_statement(env, theorems):
    t = theorems["mathd_algebra_10"]  # abs ((120 / 100 * 30) - (130 / 100 * 20)) = 10
    assert env.verify(t, "by simp").ok or env.verify(t, "by (simp add: abs_if)").ok
    assert not env.verify(t, "sorry").ok
    wrong = env.verify(t, "by (rule FalseE)")
    assert not wrong.ok and wrong.reason.startswith("line ")


def test_helper_definitions_check_and_broken_statements_are_invalid(env, theorems):
    env.check_statement(theorems["mathd_numbertheory_764"])  # defines inv_mod before the theorem
    from prover.assistants.base import InvalidStatement
    from prover.theorem import Theorem

    broken = Theorem(
        "bad", "isabelle", 'theorem bad: "x +"', header="theory bad imports Main\nbegin\n"
    )
    with pytest.raises(InvalidStatement):
        env.check_statement(broken)


def test_holes_are_closed_by_the_tactic_list(env, theorems):
    t = theorems["mathd_algebra_10"]
    proof, why = dsp.close_holes(env, t, "proof -\n  show ?thesis sledgehammer\nqed", deadline=1e18)
    assert proof is not None, why
    assert env.verify(t, proof).ok


def test_sledgehammer_baseline_on_an_easy_problem(env, theorems):
    theorem = theorems["mathd_algebra_10"]
    rec = prove(theorem, "sledgehammer", Budget(wall_limit=120), env).to_record(
        theorem, "sledgehammer"
    )
    assert rec.status in ("proved", "failed") and rec.method == "sledgehammer"
    if rec.status == "proved":
        assert env.verify(theorems["mathd_algebra_10"], rec.proof).ok


def test_oracle_audit_reads_real_thm_oracles(env):
    """The audit against a real Isabelle: `sorry` (checked directly, past the filter) gives
    skip_proof, `by eval` the code generator's oracle, `by simp` none; the answer's format is
    the one prover.assistants.isabelle.audit parses."""
    from prover.assistants.base import Status
    from prover.assistants.isabelle import audit
    from prover.theorem import Theorem

    text = (
        'theory live_audit imports Main\nbegin\n\ntheorem t: "(2::nat) + 2 = 4"\n  sorry\n\nend\n'
    )
    name, audit_text = audit.audit_theory("live_audit", "t")
    result = env.server.check_theory("live_audit", text, 120, then={name: audit_text})
    assert result.ok, result.first_error()
    answers = [m.text for m in result.messages_of(name) if m.text.startswith(audit.HEADER)]
    assert len(answers) == 1, result.messages_of(name)
    oracles = audit.parse_oracles(answers[0])
    assert [o.split(".")[-1] for o in oracles] == ["skip_proof"], answers[0]

    two = Theorem(
        "two",
        "isabelle",
        'theorem two: "(2::nat) + 2 = 4"',
        header="theory two imports Complex_Main\nbegin\n",
    )
    by_eval = env.verify(two, "by eval")
    assert by_eval.ok and by_eval.status is Status.CODE_ORACLE, by_eval.reason
    assert all(o in audit.CODE_ORACLES for o in by_eval.axioms), by_eval.axioms
    by_simp = env.verify(two, "by simp")
    assert by_simp.ok and by_simp.status is None and by_simp.details["oracles"] == []
