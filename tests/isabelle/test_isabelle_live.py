"""Live tests against a real Isabelle (skipped where `isabelle` is not on PATH)."""

from __future__ import annotations

import shutil

import pytest

from prover.datasets import load_benchmark
from prover.isabelle import check_installation, create_env, dsp

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
    from prover.proofenv import InvalidStatement
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
    rec = dsp.sledgehammer_only(theorems["mathd_algebra_10"], env, wall_seconds=120)
    assert rec.status in ("proved", "failed") and rec.method == "sledgehammer"
    if rec.status == "proved":
        assert env.verify(theorems["mathd_algebra_10"], rec.proof).ok
