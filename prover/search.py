"""Best-first proof search (formal-to-formal), as in Llemma's harness, and the automation-only baseline.

The search tree lives in a networkx DiGraph: nodes are proof states, edges are tactics. A
node's priority is the accumulated negative log-probability of the tactics on its path,
each step length-normalised (log-prob / tokens) so long tactics are not penalised for
their length. Every candidate runs once, on its parent's live state: the backend owns
backtracking, so the search never replays a prefix itself.
"""

from __future__ import annotations

import heapq
import itertools
import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import networkx as nx

from prover.generator import Generator, ModelUnavailable, SamplingParams
from prover.prompts import PromptTemplate, load_template
from prover.proofenv import InvalidStatement, Outcome, ProofEnv, ProofEnvError, ProofState, Status
from prover.results import ResultRecord
from prover.theorem import Theorem


@dataclass(frozen=True)
class SearchConfig:
    samples: int = 8  # S: candidates asked of the model per expansion (one batched call)
    attempts: int = 1  # independent searches, each with the next temperature in `temperatures`
    max_expansions: int = 64
    wall_seconds: float = 600.0  # per theorem, all attempts together
    temperatures: tuple[float, ...] = (0.0,)
    max_tokens: int = 64
    portfolio: tuple[str, ...] = ()  # automation tactics tried on every new state
    prompt: str | None = None  # template name; default "<system>_tactic"
    max_depth: int = 50

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass
class SearchResult:
    status: Status
    proof: str | None = None
    reason: str = ""
    expansions: int = 0
    tactic_calls: int = 0
    replayed_tactics: int = 0
    model_calls: int = 0
    model_seconds: float = 0.0
    checker_seconds: float = 0.0
    wall_seconds: float = 0.0
    rejected: list[str] = field(default_factory=list)  # verdict reasons of refused proofs
    graph: nx.DiGraph | None = None

    @property
    def overhead_seconds(self) -> float:
        return max(self.wall_seconds - self.model_seconds - self.checker_seconds, 0.0)

    def to_record(
        self, theorem: Theorem, method: str, model: str = "", config: dict | None = None
    ) -> ResultRecord:
        from prover.results import config_id

        cfg = config or {}
        return ResultRecord(
            name=theorem.name,
            system=theorem.system,
            split=theorem.split,
            status=self.status.value,
            proof=self.proof,
            reason=self.reason,
            expansions=self.expansions,
            tactic_calls=self.tactic_calls,
            replayed_tactics=self.replayed_tactics,
            model_calls=self.model_calls,
            model_seconds=round(self.model_seconds, 3),
            checker_seconds=round(self.checker_seconds, 3),
            wall_seconds=round(self.wall_seconds, 3),
            method=method,
            model=model,
            config=cfg,
            config_id=config_id(cfg),
            extra={"rejected": self.rejected[:10]} if self.rejected else {},
        )


class _Clock:
    """Splits wall time into model, checker and (by difference) search overhead."""

    def __init__(self, budget: float):
        self.start = time.perf_counter()
        self.deadline = self.start + budget
        self.model = 0.0
        self.checker = 0.0

    def expired(self) -> bool:
        return time.perf_counter() >= self.deadline

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def left(self) -> float:
        return max(self.deadline - time.perf_counter(), 0.0)


class _Search:
    """One theorem's search state; a class only to keep the counters in one place."""

    def __init__(self, theorem: Theorem, env: ProofEnv, config: SearchConfig, clock: _Clock):
        self.theorem, self.env, self.config, self.clock = theorem, env, config, clock
        self.graph = nx.DiGraph()
        self.tactic_calls = 0
        self.rejected: list[str] = []
        self._ids = itertools.count()

    def run(self, state: ProofState, tactic: str):
        t = time.perf_counter()
        try:
            return self.env.run_tactic(state, tactic, timeout=self.clock.left())
        finally:
            self.clock.checker += time.perf_counter() - t
            self.tactic_calls += 1

    def path(self, node: int) -> list[str]:
        tactics = []
        while True:
            preds = list(self.graph.predecessors(node))
            if not preds:
                return tactics[::-1]
            tactics.append(self.graph.edges[preds[0], node]["tactic"])
            node = preds[0]

    def add_node(self, state: ProofState | None, score: float, depth: int, **attrs: Any) -> int:
        node = next(self._ids)
        self.graph.add_node(node, state=state, score=score, depth=depth, **attrs)
        return node

    def try_finish(self, parent: int, tactic: str) -> str | None:
        """A tactic closed every goal: check the whole proof from scratch before believing it."""
        proof = self.env.proof_text([*self.path(parent), tactic])
        t = time.perf_counter()
        verdict = self.env.verify(self.theorem, proof)
        self.clock.checker += time.perf_counter() - t
        if verdict.ok:
            return proof
        self.rejected.append(verdict.reason)
        return None

    def portfolio(self, node: int) -> str | None:
        state = self.graph.nodes[node]["state"]
        for tactic in self.config.portfolio:
            if self.clock.expired():
                return None
            result = self.run(state, tactic)
            if result.outcome is Outcome.FINISHED:
                proof = self.try_finish(node, tactic)
                if proof is not None:
                    self.graph.add_edge(
                        node,
                        self.add_node(None, 0.0, 0, finished=True),
                        tactic=tactic,
                        source="portfolio",
                    )
                    return proof
        return None


def best_first_search(
    theorem: Theorem,
    env: ProofEnv,
    generator: Generator | None,
    config: SearchConfig = SearchConfig(),
    template: PromptTemplate | None = None,
) -> SearchResult:
    """Search for a proof of `theorem`; `generator=None` runs the automation portfolio only."""
    clock = _Clock(config.wall_seconds)
    replay0 = _replayed(env)
    search: _Search | None = None
    result = SearchResult(status=Status.FAILED)
    try:
        t = time.perf_counter()
        try:
            root = env.open(theorem)
        finally:
            clock.checker += time.perf_counter() - t
        search = _Search(theorem, env, config, clock)
        result = _search_attempts(search, root, generator, config, template)
    except InvalidStatement as e:
        result = SearchResult(status=Status.INVALID_STATEMENT, reason=str(e))
    except ModelUnavailable as e:
        result = SearchResult(status=Status.ERROR, reason=f"model unavailable: {e}")
    except ProofEnvError as e:
        result = SearchResult(status=Status.ERROR, reason=f"{env.system} failed: {e}")
    result.wall_seconds = clock.elapsed()
    result.model_seconds = clock.model
    result.checker_seconds = clock.checker
    result.replayed_tactics = _replayed(env) - replay0
    if search is not None:
        result.tactic_calls = search.tactic_calls
        result.rejected = search.rejected
        result.graph = search.graph
        if result.status is Status.FAILED and search.rejected and not result.reason:
            result.reason += f"; {len(search.rejected)} finished proof(s) rejected by the checker"
    return result


def _search_attempts(
    search: _Search,
    root: ProofState,
    generator: Generator | None,
    config: SearchConfig,
    template: PromptTemplate | None,
) -> SearchResult:
    clock = search.clock
    root_id = search.add_node(root, 0.0, 0)
    if config.portfolio:
        proof = search.portfolio(root_id)
        if proof is not None:
            return SearchResult(status=Status.PROVED, proof=proof)
    if generator is None:
        return SearchResult(status=Status.FAILED, reason="automation portfolio found no proof")

    template = template or load_template(config.prompt or f"{search.theorem.system}_tactic")
    expansions = model_calls = 0
    reason = "search queue exhausted"
    for attempt in range(config.attempts):
        temperature = config.temperatures[attempt % len(config.temperatures)]
        params = SamplingParams(
            n=config.samples,
            temperature=temperature,
            max_tokens=config.max_tokens,
            stop=template.stop or ("\n",),
            seed=attempt,
        )
        seen = {root.key}
        queue: list[tuple[float, int, int]] = [(0.0, 0, root_id)]
        tie = itertools.count(1)
        while queue:
            if expansions >= config.max_expansions * (attempt + 1):
                reason = "expansion budget exhausted"
                break
            if clock.expired():
                return SearchResult(
                    Status.FAILED,
                    reason="wall clock exhausted",
                    expansions=expansions,
                    model_calls=model_calls,
                )
            score, _, node = heapq.heappop(queue)
            state: ProofState = search.graph.nodes[node]["state"]
            depth = search.graph.nodes[node]["depth"]
            prompt = template.render(theorem=search.theorem, state=state.text)
            t = time.perf_counter()
            samples = generator.generate([prompt], replace(params, max_seconds=clock.left()))[0]
            clock.model += time.perf_counter() - t
            expansions += 1
            model_calls += 1
            tried: set[str] = set()
            for sample in samples:
                tactic = sample.text.strip()
                if not tactic or tactic in tried:
                    continue
                tried.add(tactic)
                if clock.expired():
                    break
                result = search.run(state, tactic)
                child_score = score - sample.normalized_logprob
                if result.outcome is Outcome.ERROR:
                    continue
                if result.outcome is Outcome.FINISHED:
                    proof = search.try_finish(node, tactic)
                    finished = search.add_node(
                        None, child_score, depth + 1, finished=proof is not None
                    )
                    search.graph.add_edge(node, finished, tactic=tactic, rejected=proof is None)
                    if proof is not None:
                        return SearchResult(
                            Status.PROVED,
                            proof=proof,
                            expansions=expansions,
                            model_calls=model_calls,
                        )
                    continue
                assert result.state is not None
                if result.state.key in seen or depth + 1 > config.max_depth:
                    continue
                seen.add(result.state.key)
                child = search.add_node(result.state, child_score, depth + 1)
                search.graph.add_edge(node, child, tactic=tactic, logprob=sample.logprob)
                if config.portfolio:
                    proof = search.portfolio(child)
                    if proof is not None:
                        return SearchResult(
                            Status.PROVED,
                            proof=proof,
                            expansions=expansions,
                            model_calls=model_calls,
                        )
                heapq.heappush(queue, (child_score, next(tie), child))
    return SearchResult(
        Status.FAILED, reason=reason, expansions=expansions, model_calls=model_calls
    )


def _replayed(env: ProofEnv) -> int:
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
