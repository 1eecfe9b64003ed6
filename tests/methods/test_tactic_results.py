"""The typed tactic results, and what the search tree does with each kind (no assistant)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

from prover.assistants.base import (
    Crashed,
    Failed,
    Finished,
    Progress,
    ProofState,
    TacticResult,
    TimedOut,
)
from prover.methods.budget import Clock
from prover.methods.search import Tree, finished

ROOT = ProofState(0, ("n = n",))


class ScriptedEnv:
    """Answers each tactic with the result it is given, counting the calls."""

    system = "coq"

    def __init__(self, answers: dict[str, TacticResult]):
        self.answers, self.calls = answers, 0

    def run_tactic(self, state, tactic, timeout=None) -> TacticResult:
        self.calls += 1
        return self.answers[tactic]


def test_results_share_ok_state_and_message():
    after = ProofState(1, ("m = m",))
    assert Progress(after).ok and Progress(after).state is after and Progress(after).message == ""
    assert Finished(after).ok and Finished(after).state is after
    for kind in (Failed, TimedOut, Crashed):
        r = kind("why")
        assert not r.ok and r.state is None and r.message == "why"
        assert isinstance(r, TacticResult)
    # Distinct types: a timeout is never taken for a rejection.
    assert not isinstance(TimedOut("x"), Failed) and not isinstance(Crashed("x"), Failed)
    with pytest.raises(FrozenInstanceError):
        Failed("x").message = "y"  # type: ignore[misc]
    assert not ProofState(0, ()).subproof_done


def test_tree_caches_failed_and_applied_results_but_never_timeouts_or_crashes():
    env = ScriptedEnv(
        {
            "bad.": Failed("Error: no"),
            "slow.": TimedOut("Timeout!"),
            "dies.": Crashed("coqtop died"),
            "good.": Progress(ProofState(1, ("m = m",))),
            "done.": Finished(ProofState(2, ("No more goals.",), subproof_done=True)),
        }
    )
    tree = Tree(env, Clock(60.0))
    for tactic, cached in (
        ("bad.", True),
        ("good.", True),
        ("done.", True),
        ("slow.", False),
        ("dies.", False),
    ):
        before = env.calls
        first = tree.run(ROOT, tactic)
        second = tree.run(ROOT, tactic)
        assert first == second
        assert env.calls == before + (1 if cached else 2), tactic
    assert finished(ROOT, tree.run(ROOT, "done.")) and not finished(ROOT, tree.run(ROOT, "good."))


def test_tree_out_of_budget_is_a_timeout():
    env = ScriptedEnv({"good.": Progress(ProofState(1, ()))})
    result = Tree(env, Clock(0.5)).run(ROOT, "good.")
    assert isinstance(result, TimedOut) and env.calls == 0
