"""portfolio: the assistant's automation alone (the CoqHammer / Sledgehammer analog), no model.

Coq (prover.assistants.coq.portfolio): the cheap closers first (lia, lra, nra, nia, field, auto,
psatz, split_Rabs, rewriting with a function's defining hypothesis, ring, sauto; at most 2 s
each), then the ones those 2 s stopped and `hammer`, each with `tactic_timeout` seconds;
`--automation classic`: the first 18 tactics, each with `tactic_timeout`. Lean: norm_num,
linarith, nlinarith, ..., each with `tactic_timeout`. No call runs past the wall clock; the
first tactic that closes the goal must pass the verdict."""

from __future__ import annotations

from prover.methods.result import ProofResult
from prover.methods.search import search
from prover.methods.task import Task

NAME = "portfolio"
SYSTEMS = ("coq", "lean")
USES_MODEL = False
READS = frozenset({"wall_seconds", "tactic_timeout"})
OPTIONS: frozenset[str] = frozenset()


def run(task: Task) -> ProofResult:
    return search(task, automation_only=True)
