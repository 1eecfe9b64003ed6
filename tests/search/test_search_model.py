"""The real embedded model driving the search on the live Coq backend, and `prover prove` end to end."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from prover.assistants.base import Status
from prover.assistants.coq import create_env
from prover.cli import app
from prover.methods import Budget
from prover.methods.search import best_first_search
from prover.models import load_generator
from prover.theorem import Theorem


@pytest.fixture(scope="module")
def model():
    return load_generator("embedded")


def test_model_guided_search_respects_its_budget(model):
    env = create_env(tactic_timeout=5.0)
    try:
        t = Theorem(
            "t",
            "coq",
            "Theorem t : forall x y : nat, x = y -> y + 0 = x.",
            "Require Import Arith Lia.",
        )
        r = best_first_search(t, env, model, Budget(samples=3, expansions=2, max_tokens=16))
        assert r.status in (Status.PROVED, Status.FAILED)
        assert 1 <= r.expansions <= 2 and r.model_calls == r.expansions
        assert r.model_seconds > 0 and r.checker_seconds > 0
        assert r.tactic_calls <= 3 * r.expansions  # at most S distinct candidates per expansion
        assert r.graph.number_of_nodes() >= 1
        if r.status is Status.PROVED:
            assert env.verify(t, r.proof).ok
    finally:
        env.close()


def test_prove_command_end_to_end(tmp_path):
    f = tmp_path / "double.v"
    f.write_text(
        "Require Import Arith.\n\nTheorem double : forall n : nat, 2 * n = n + n.\nProof.\nAdmitted.\n"
    )
    result = CliRunner().invoke(
        app, ["prove", str(f), "--max-expansions", "1", "--samples", "2", "--max-tokens", "16"]
    )
    assert result.exit_code == 0, result.output
    assert '"status": "proved"' in result.output
    assert "lia." in result.output or "ring." in result.output or "auto." in result.output


def test_whole_and_sketch_with_the_embedded_model(model):
    from prover.methods import Budget, prove

    env = create_env(tactic_timeout=5.0)
    t = Theorem("t", "coq", "Theorem t : forall n : nat, n + 0 = n.", "Require Import Arith Lia.")
    try:
        for method, budget in (
            ("whole", Budget(samples=1, repair_rounds=0, max_tokens=16, wall_limit=30)),
            ("sketch", Budget(samples=1, expansions=1, max_tokens=16, wall_limit=30)),
        ):
            r = prove(t, method, budget, env, model, portfolio_tactics=("lia.",))
            assert r.status in (Status.PROVED, Status.FAILED), (method, r.reason)
            assert r.model_calls >= 1 and r.model_seconds > 0, method
            if r.status is Status.PROVED:
                assert "admit" not in r.proof and env.verify(t, r.proof).ok
    finally:
        env.close()
