"""`whole` and `sketch` on the live Coq backend.

Proposals come from scripted stand-ins for the model (they are not models: fixed answers
chosen by what the prompt shows); every proof step runs in the real coqtop, every error a
repair round sees is Coq's own, and every proof is re-checked by a fresh coqc.
"""

from __future__ import annotations

import pytest

from prover.assistants.base import Status
from prover.assistants.coq import create_env
from prover.assistants.registry import backend
from prover.assistants.text import coq_extract, coq_sketch_steps
from prover.methods import Budget, prove
from prover.models.base import Sample
from prover.theorem import Theorem

HEADER = "Require Import Arith Lia List."


@pytest.fixture(scope="module")
def env():
    e = create_env(tactic_timeout=5.0)
    yield e
    e.close()


def thm(statement: str, name: str = "t") -> Theorem:
    return Theorem(name=name, system="coq", statement=statement, header=HEADER)


class Scripted:
    """Answers by rules: the first (needle, texts) whose needle is in the prompt."""

    def __init__(self, rules: list[tuple[str, list[str]]]):
        self.rules, self.prompts, self.params = rules, [], []

    def generate(self, prompts, params):
        out = []
        for p in prompts:
            self.prompts.append(p)
            self.params.append(params)
            texts = next((t for needle, t in self.rules if needle in p), [])
            out.append([Sample(t, -1.0, 3) for t in texts[: params.n]])
        return out


def test_whole_repairs_with_coqs_own_error_and_goal(env):
    t = thm("Theorem t : forall n : nat, n + 0 = n.")
    gen = Scripted(
        [
            # the repair prompt (it shows Coq's error): the corrected proof
            ("no_such_lemma", ["intros n.\nlia.\nQed."]),
            # the first prompt: a proof that fails at its second step
            ("Proof.", ["```coq\nintros n.\napply no_such_lemma.\nQed.\n```"]),
        ]
    )
    r = prove(t, "whole", Budget(samples=1, repair_rounds=2), env, gen)
    assert r.status is Status.PROVED, r.reason
    assert r.proof == "intros n.\nlia."
    assert r.model_calls == 2 and r.extra["repairs"] == 1
    repair_prompt = gen.prompts[1]
    # Coq's own message, and the goal where the proof failed (after `intros n.`)
    assert "The reference no_such_lemma was not found" in repair_prompt
    assert "n + 0 = n" in repair_prompt.split("The goal at the failure:")[1]
    assert r.checker_seconds > 0 and r.model_seconds >= 0


def test_whole_never_accepts_a_cheat_and_stops_after_r_rounds(env):
    t = thm("Theorem t : forall n : nat, n = S n.")
    gen = Scripted([("", ["admit.\nQed."])])
    r = prove(t, "whole", Budget(samples=1, attempts=2, repair_rounds=1), env, gen)
    assert r.status is Status.FAILED and r.proof is None
    # 2 attempts x (1 first proof + 1 repair)
    assert r.model_calls == 4 and r.extra["repairs"] == 2
    assert "not allowed" in r.reason or "admit" in r.reason


def test_whole_invalid_statement(env):
    gen = Scripted([("", ["lia."])])
    r = prove(thm("Theorem t : forall n : nat, n = undefined_thing."), "whole", Budget(), env, gen)
    assert r.status is Status.INVALID_STATEMENT and r.model_calls == 0


def test_sketch_holes_are_closed_by_the_portfolio_and_replaced(env):
    t = thm("Theorem t : forall a b : nat, a = 2 -> b = 3 -> a * b = 6 /\\ a + b = 5.")
    sketch = "intros a b Ha Hb.\nsubst.\nassert (H : 2 * 3 = 6) by admit.\nsplit.\n- admit.\n- admit.\nQed."
    gen = Scripted([("admit", [sketch])])
    r = prove(t, "sketch", Budget(samples=1, expansions=2), env, gen, portfolio_tactics=("lia.",))
    assert r.status is Status.PROVED, r.reason
    assert "admit" not in r.proof and r.proof.count("lia.") == 3
    assert r.extra["holes"] == 3 and r.extra["closed"] == 3
    assert r.model_calls == 1  # the portfolio closed every hole: no search needed
    assert env.verify(t, r.proof).ok


def test_sketch_hole_closed_by_search_when_the_portfolio_fails(env):
    t = thm("Theorem t : forall l : list nat, rev (rev l) = l /\\ length l = length l.")
    gen = Scripted(
        [
            ("admit", ["intros l.\nsplit.\n- admit.\n- reflexivity.\nQed."]),
            ("rev (rev l) = l", ["lia.", "apply rev_involutive."]),  # the tactic prompt
        ]
    )
    r = prove(t, "sketch", Budget(samples=2, expansions=2), env, gen, portfolio_tactics=("lia.",))
    assert r.status is Status.PROVED, r.reason
    assert "apply rev_involutive." in r.proof and "admit" not in r.proof
    assert r.expansions >= 1  # the hole needed a search step


def test_sketch_that_cannot_be_filled_fails_with_the_reason(env):
    t = thm("Theorem t : forall n : nat, n = S n \\/ True.")
    gen = Scripted([("admit", ["intros n.\nleft.\nadmit.\nQed."]), ("", ["idtac."])])
    r = prove(t, "sketch", Budget(samples=1, expansions=1), env, gen, portfolio_tactics=("lia.",))
    assert r.status is Status.FAILED and "not closed" in r.reason


def test_extract_and_sketch_steps():
    assert coq_extract("Theorem t : True.\nProof.\nexact I.\nQed.\nmore") == "exact I."
    assert coq_sketch_steps("assert (H : 1 = 1) by admit.\nexact H.") == [
        "assert (H : 1 = 1).",
        "admit.",
        "exact H.",
    ]
    assert backend("coq").is_hole("admit.") and not backend("coq").is_hole("lia.")
