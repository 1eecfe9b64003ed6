"""portfolio: the assistant's automation alone (the CoqHammer / Sledgehammer analog), no model.

Coq: lia, lra, nra, nia, field, ring, auto, sauto, hammer, each also after intros; Lean:
norm_num, linarith, nlinarith, ... Each tactic gets `tactic_timeout` seconds (at most what
is left of the wall clock); the first that closes the goal must pass the verdict."""

from __future__ import annotations

from prover.methods.result import ProofResult
from prover.methods.search import best_first_search
from prover.methods.task import Task

NAME = "portfolio"
SYSTEMS = ("coq", "lean")
USES_MODEL = False
READS = frozenset({"wall_seconds", "tactic_timeout"})
OPTIONS: frozenset[str] = frozenset()


def run(task: Task) -> ProofResult:
    t = task
    return best_first_search(t.theorem, t.env, None, t.budget, t.portfolio, clock=t.clock)
