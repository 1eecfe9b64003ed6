"""Best-first search driven end to end on the live Coq backend.

Proposals come from the scripted stand-in (tests/scripted.py) so that each assertion is
deterministic; every tactic still runs in the real coqtop and every proof is re-checked by
a fresh coqc. The real embedded model drives the search in test_search_model.py.
"""

from __future__ import annotations

import jinja2
import pytest

from prover.assistants.base import Status
from prover.assistants.coq import create_env
from prover.methods import Budget
from prover.methods.search import best_first_search
from prover.methods.tree import save_graph
from prover.models.base import MIN_CALL_SECONDS, Sample
from prover.prompts import PromptTemplate
from prover.theorem import Theorem
from tests.scripted import ScriptedGenerator

TEMPLATE = PromptTemplate("test", jinja2.Template("Goals:{{ state }}"), ("\n",))


@pytest.fixture(scope="module")
def env():
    e = create_env(tactic_timeout=10.0)
    yield e
    e.close()


def thm(statement: str, header: str = "Require Import Arith Lia.", name: str = "t") -> Theorem:
    return Theorem(name=name, system="coq", statement=statement, header=header)


def test_search_expands_best_first_and_verifies_the_proof(env):
    t = thm("Theorem t : forall n : nat, n + 0 = n.")
    gen = ScriptedGenerator(
        [
            ("forall n", [("intros n.", -0.1), ("intro m.", -3.0), ("reflexivity.", -0.2)]),
            ("n + 0 = n", [("rewrite Nat.add_0_r.", -0.5)]),
            ("m + 0 = m", [("lia.", -0.1)]),
            ("n = n", [("reflexivity.", -0.1)]),
        ]
    )
    r = best_first_search(t, env, gen, Budget(samples=3, expansions=10), template=TEMPLATE)
    assert r.status is Status.PROVED, r.reason
    # intros n (score 0.05) and then its child (0.3) are expanded before intro m (1.5),
    # even though intro m's lia would have finished at once.
    assert r.proof.split() == ["intros", "n.", "rewrite", "Nat.add_0_r.", "reflexivity."]
    assert r.expansions == 3 and r.model_calls == 3
    # reflexivity fails at the root (an error): 3 + 1 + 1 tactic calls. Coq's states form a
    # line, so after trying intro m last, going back to intros n's branch re-runs that one step.
    assert r.tactic_calls == 5
    assert r.replayed_tactics == 1
    assert r.checker_seconds > 0 and r.wall_seconds >= r.checker_seconds


def test_switching_branches_replays_only_from_the_common_ancestor(env):
    t = thm("Theorem t : forall a b : nat, a + b = b + a.")
    gen = ScriptedGenerator(
        [
            ("forall a b", [("intros a b.", -0.1), ("intros x y.", -0.2)]),
            ("a + b = b + a", [("simpl.", -5.0)]),  # no progress on a's branch
            ("x + y = y + x", [("lia.", -0.1)]),
        ]
    )
    r = best_first_search(t, env, gen, Budget(samples=2, expansions=10), template=TEMPLATE)
    assert r.status is Status.PROVED and r.proof.split() == ["intros", "x", "y.", "lia."]
    # Each switch of branch re-runs only the one step below the common ancestor (the root).
    assert r.replayed_tactics == 2


def test_duplicate_candidates_and_seen_states_are_skipped(env):
    t = thm("Theorem t : forall a b : nat, a + b = b + a.")
    gen = ScriptedGenerator(
        [
            (
                "forall a b",
                [
                    ("intros a b.", -0.1),
                    ("intros a b.", -0.1),
                    ("intros x y.", -0.2),
                    ("intros.", -0.3),
                ],
            ),
            ("a + b = b + a", [("idtac.", -0.01)]),  # no progress: same goals, never re-queued
        ]
    )
    r = best_first_search(t, env, gen, Budget(samples=4, expansions=10), template=TEMPLATE)
    assert r.status is Status.FAILED
    # The duplicate "intros a b." is run once; "intros." reaches the same goals as "intros a b."
    # Later attempts (the queue empties) propose the same tactics: their answers are reused.
    assert r.tactic_calls == 3 + 1
    assert r.graph.number_of_nodes() == 3  # root, a b, x y
    assert r.expansions == 10 and r.extra["attempts"] > 1


class FailsAtFirst:
    """Scripted: every candidate fails at temperature 0 (beams); sampling finds the proof."""

    def __init__(self):
        self.temperatures: list[float] = []

    def generate(self, prompts, params):
        self.temperatures.append(params.temperature)
        if params.temperature == 0:
            texts = ["apply no_such_lemma.", "exact I."]
        else:
            texts = ["intros n.", "lia."]
        return [[Sample(t, -1.0, 2) for t in texts] for _ in prompts]


def test_an_emptied_queue_starts_the_next_attempt_at_a_higher_temperature(env):
    t = thm("Theorem t : forall n : nat, n + 0 = n.")
    gen = FailsAtFirst()
    r = best_first_search(t, env, gen, Budget(samples=2, expansions=8), template=TEMPLATE)
    assert r.status is Status.PROVED, r.reason
    # Attempt 1 (beams, T=0): both candidates fail at the root and the queue empties; the
    # search does not stop there: attempt 2 samples at T=0.4 and proves it.
    assert gen.temperatures[0] == 0.0 and gen.temperatures[1] == 0.4
    assert r.extra["attempts"] == 2 and r.expansions >= 2
    # The budget caps it all: with expansions=1 and attempts=1 only the beams run.
    r = best_first_search(
        t, env, FailsAtFirst(), Budget(samples=2, expansions=1), template=TEMPLATE
    )
    assert r.status is Status.FAILED and r.expansions == 1


def test_cheating_candidates_are_rejected_and_search_goes_on(env):
    t = thm("Theorem t : 2 + 2 = 4.")
    gen = ScriptedGenerator(
        [
            (
                "2 + 2 = 4",
                [
                    ("Admitted.", -0.01),
                    ("admit.", -0.02),
                    ("Axiom x : False.", -0.03),
                    ("reflexivity.", -2.0),
                ],
            )
        ]
    )
    r = best_first_search(t, env, gen, Budget(samples=4, expansions=3), template=TEMPLATE)
    assert r.status is Status.PROVED
    assert r.proof.strip() == "reflexivity."


def test_portfolio_alone_and_invalid_statement(env):
    proved = best_first_search(
        thm("Theorem t : forall x : nat, x * 2 = x + x."),
        env,
        None,
        portfolio_tactics=("lia.",),
    )
    assert proved.status is Status.PROVED and proved.proof.strip() == "lia."
    unproved = best_first_search(
        thm("Theorem t : forall x : nat, x = x + 1."), env, None, portfolio_tactics=("lia.",)
    )
    assert unproved.status is Status.FAILED
    bad = best_first_search(
        thm("Theorem t : forall x : nat, x = undefined_symbol."),
        env,
        None,
        portfolio_tactics=("lia.",),
    )
    assert bad.status is Status.INVALID_STATEMENT and "undefined_symbol" in bad.reason


def test_expansion_and_wall_budgets_stop_the_search(env):
    t = thm("Theorem t : forall n : nat, n = n + 1 -> False.")
    gen = ScriptedGenerator([("", [("intros.", -0.1), ("idtac.", -0.2)])])
    r = best_first_search(t, env, gen, Budget(samples=2, expansions=3), template=TEMPLATE)
    assert r.status is Status.FAILED and r.expansions <= 3
    r = best_first_search(
        t, env, gen, Budget(samples=2, expansions=1000, wall_limit=0.0), template=TEMPLATE
    )
    assert r.status is Status.FAILED and "wall clock" in r.reason


def test_search_tree_is_saved(env, tmp_path):
    import json

    t = thm("Theorem t : forall n : nat, n + 0 = n.")
    gen = ScriptedGenerator([("forall n", [("intros n.", -0.1)]), ("n + 0 = n", [("lia.", -0.1)])])
    r = best_first_search(t, env, gen, Budget(samples=1), template=TEMPLATE)
    data = json.loads(save_graph(r.graph, tmp_path / "tree.json").read_text())
    assert len(data["nodes"]) == 3 and any(n["finished"] for n in data["nodes"])
    assert [e["tactic"] for e in data["links"]] == ["intros n.", "lia."]


class SlowAndHanging:
    """Scripted: each call takes a second (less if less is left, as real runtimes honour
    `max_seconds`) and proposes a tactic that never ends."""

    def __init__(self):
        self.max_seconds: list[float] = []

    def generate(self, prompts, params):
        import time

        self.max_seconds.append(params.max_seconds)
        time.sleep(min(1.0, params.max_seconds))
        return [[Sample("do 2000000000 idtac.", -0.5, 3), Sample("intros.", -1.0, 1)]]


def test_wall_clock_is_a_bound_whatever_runs_at_the_deadline():
    e = create_env(tactic_timeout=60.0)
    try:
        gen = SlowAndHanging()
        t = thm("Theorem t : forall n : nat, n = S n.")
        budget = Budget(samples=2, expansions=100, wall_limit=4.0, tactic_timeout=60.0)
        r = best_first_search(t, e, gen, budget, portfolio_tactics=("lia.",), template=TEMPLATE)
        assert r.status is Status.FAILED and "wall clock" in r.reason
        # it stops once too little is left to start a model call, never after the budget + 2 s
        assert 4.0 - MIN_CALL_SECONDS <= r.wall_seconds <= 4.0 + 2.0, r.wall_seconds
        # every call was told what was left of the clock
        assert gen.max_seconds[0] <= 4.0
        assert gen.max_seconds == sorted(gen.max_seconds, reverse=True)
    finally:
        e.close()


def test_portfolio_progress_on_some_goals_makes_a_state_of_its_own(env):
    """`split.` leaves two goals that `ring` closes one at a time: the portfolio's partial
    progress is a state like any other, so no second model call is needed."""
    t = thm("Theorem t : forall n : nat, n + 0 = n /\\ n * 1 = n.")
    gen = ScriptedGenerator([("forall n", [("intros n.", -0.1)]), ("/\\", [("split.", -0.1)])])
    r = best_first_search(
        t,
        env,
        gen,
        Budget(samples=1, expansions=10),
        portfolio_tactics=("ring.",),
        template=TEMPLATE,
    )
    assert r.status is Status.PROVED, r.reason
    assert r.proof.split() == ["intros", "n.", "split.", "ring.", "ring."]
    assert r.expansions == 2
    # ring at the root, intros, ring, split, ring (first goal), ring (the second).
    assert r.tactic_calls == 6


def test_states_below_the_root_get_the_quick_portfolio():
    from prover.assistants.coq import default_portfolio
    from prover.assistants.registry import backend

    coq = backend("coq")
    quick = coq.quick_portfolio(default_portfolio())
    assert "intros; hammer." in default_portfolio() and "intros; sauto." in default_portfolio()
    assert quick[:6] == ("lia.", "lra.", "nra.", "nia.", "field.", "auto.")
    assert "psatz R 2." in quick and "ring." in quick
    assert not any("hammer" in t or "sauto" in t or t.startswith("intros") for t in quick)
    assert coq.quick_portfolio(("intros; sauto.", "intro; lia.", "Lia.lia.")) == (
        "lia.",
        "Lia.lia.",
    )
    lean = backend("lean").quick_portfolio(("aesop", "norm_num", "simp"))
    assert lean == ("norm_num", "simp")
