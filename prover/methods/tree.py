"""The search tree every method that steps through proof states shares (search, portfolio, sketch).

The tree lives in a networkx DiGraph: nodes are proof states, edges are tactics. `Tree`
runs tactics on the env (once per state and tactic), keeps the counters a result reports
(`Tree.tally`), and walks a node's path back to the root; `verified` is how a path
becomes an accepted proof of a whole theorem; `save_graph` writes the tree for inspection.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from prover.assistants.base import (
    Crashed,
    Finished,
    ProofEnv,
    ProofState,
    TacticResult,
    TimedOut,
    Verdict,
)
from prover.methods.budget import Clock
from prover.methods.result import ProofResult
from prover.theorem import Theorem

MIN_CALL_SECONDS = 0.05  # less than this left: do not start another call
MIN_TACTIC_SECONDS = 1.0  # less than this left: no tactic starts


@dataclass
class Tree:
    """One theorem's search tree and the counters every method that steps through states shares."""

    env: ProofEnv
    clock: Clock
    graph: nx.DiGraph = field(default_factory=nx.DiGraph)
    tactic_calls: int = 0
    expansions: int = 0
    model_calls: int = 0
    attempts: int = 0
    rejected: list[str] = field(default_factory=list)
    ran: Counter = field(default_factory=Counter)  # candidates run, by source
    widths: list[int] = field(default_factory=list)  # n of each model call

    def __post_init__(self) -> None:
        self._ids = itertools.count()
        # (goals, tactic) -> result: a later attempt that proposes a tactic already run on the
        # same goals reuses the answer (states stay valid until the next `open`).
        self._results: dict[tuple[str, str], TacticResult] = {}
        self._replayed0 = replayed(self.env)  # the env's count before this theorem

    def run(self, state: ProofState, tactic: str, seconds: float | None = None) -> TacticResult:
        """Run `tactic` on `state`, for at most `seconds` (and what is left of the clock)."""
        key = (state.key, tactic)
        if key in self._results:
            return self._results[key]
        left = self.clock.left()
        if left < MIN_TACTIC_SECONDS:
            # Coq's Timeout counts whole seconds: a tactic started now could end a second late
            return TimedOut("Timeout! (under 1 s of the budget left)")
        with self.clock.checker_call():
            self.tactic_calls += 1
            result = self.env.run_tactic(
                state, tactic, timeout=left if seconds is None else min(seconds, left)
            )
        if not isinstance(result, TimedOut | Crashed):
            self._results[key] = result  # a timeout or a crash may not recur: not cached
        return result

    def add_node(self, state: ProofState | None, score: float, depth: int, **attrs: Any) -> int:
        node = next(self._ids)
        self.graph.add_node(node, state=state, score=score, depth=depth, **attrs)
        return node

    def path(self, node: int) -> list[str]:
        tactics = []
        while True:
            preds = list(self.graph.predecessors(node))
            if not preds:
                return tactics[::-1]
            tactics.append(self.graph.edges[preds[0], node]["tactic"])
            node = preds[0]

    def out_of_time(self) -> bool:
        return self.clock.left() < MIN_CALL_SECONDS

    def tally(self, result: ProofResult) -> None:
        """Copy the tree's counters into `result` (the clock's split is `settle`'s)."""
        result.replayed_tactics = replayed(self.env) - self._replayed0
        result.tactic_calls = self.tactic_calls
        result.expansions = self.expansions
        result.model_calls = self.model_calls
        result.rejected = self.rejected
        result.graph = self.graph
        if self.attempts:
            result.extra["attempts"] = self.attempts
        if self.ran:
            result.extra["candidates_run"] = dict(self.ran)
        if self.widths and max(self.widths) > min(self.widths):
            result.extra["model_widths"] = dict(Counter(self.widths))
        by_source = proof_sources(self.graph)
        if by_source:
            result.extra["proof_sources"] = by_source


# A goal is closed when `done(parent_state, result)` holds; `accept(tactics)` then returns
# the proof text it stands for (after whatever check it needs) or None to go on searching.
Done = Callable[[ProofState, TacticResult], bool]
Accept = Callable[[list[str]], str | None]


def finished(_parent: ProofState, result: TacticResult) -> bool:
    return isinstance(result, Finished)


def verified(theorem: Theorem, env: ProofEnv, tree: Tree, verdicts: list[Verdict]) -> Accept:
    """An `accept` for whole theorems: the path's proof counts only once `env.verify` says so."""

    refused: set[str] = set()  # a proof text is judged once, however many attempts reach it

    def accept(tactics: list[str]) -> str | None:
        proof = env.proof_text(tactics)
        if proof in refused:
            return None
        with tree.clock.checker_call():
            verdict = env.verify(theorem, proof)
        if verdict.ok:
            verdicts.append(verdict)
            return proof
        tree.rejected.append(verdict.reason)
        refused.add(proof)
        return None

    return accept


def proof_sources(graph: nx.DiGraph) -> dict[str, int]:
    """The found proof's tactics counted by source (model, template, knn, portfolio)."""
    ends = [n for n, data in graph.nodes(data=True) if data.get("finished")]
    if not ends:
        return {}
    counts: Counter = Counter()
    node = ends[-1]
    while preds := list(graph.predecessors(node)):
        counts[graph.edges[preds[0], node].get("source", "model")] += 1
        node = preds[0]
    return dict(counts)


def replayed(env: Any) -> int:
    """The env's count of tactics it re-ran to reach another branch (0 for envs without one)."""
    stats = getattr(env, "stats", None)
    return int(getattr(stats, "replayed_tactics", 0)) if stats is not None else 0


def save_graph(graph: nx.DiGraph, path: str | Path) -> Path:
    """Write the search tree as node-link JSON (goals text, scores, tactics), for inspection."""
    g = nx.DiGraph()
    for n, data in graph.nodes(data=True):
        state = data.get("state")
        g.add_node(
            n,
            goals=list(state.goals) if state else [],
            score=data.get("score"),
            depth=data.get("depth"),
            finished=bool(data.get("finished")),
        )
    for a, b, data in graph.edges(data=True):
        g.add_edge(a, b, **{k: v for k, v in data.items() if isinstance(v, (str, int, float))})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nx.node_link_data(g, edges="links"), indent=1))
    return path
