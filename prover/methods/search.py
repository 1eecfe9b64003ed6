"""search: best-first search over proof states (formal-to-formal), as in Llemma's harness.

The search tree (prover.methods.tree) has proof states for nodes and tactics for edges. A
node's priority is the accumulated negative log-probability of the tactics on its path,
each step length-normalised (log-prob / tokens) so long tactics are not penalised for
their length. Every candidate runs once, on its parent's live state: the backend owns
backtracking, so the search never replays a prefix itself.

It spends its whole budget: when the queue empties (every candidate failed) or an attempt
has used its expansions, the next attempt starts from the root, the first at temperature 0
(beams), later ones sampling at rising temperatures, until the wall clock or the total
expansion budget (expansions x attempts) runs out. Every call gets what is left of the
clock, so the theorem's wall time is a bound.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from prover.assistants.automation import root_schedule
from prover.assistants.base import Progress, ProofEnv, ProofState, Status, TimedOut, Verdict
from prover.assistants.registry import backend
from prover.candidates import (
    NO_SOURCES,
    Candidate,
    CandidateSource,
    CandidateSources,
    merge,
    model_candidates,
    normalise,
)
from prover.methods.budget import Budget, Clock
from prover.methods.result import ProofResult, accepted
from prover.methods.task import Task, settle
from prover.methods.tree import (
    MIN_TACTIC_SECONDS,
    Accept,
    Done,
    Tree,
    finished,
    verified,
)
from prover.models.base import MIN_CALL_SECONDS, Generator, SamplingParams
from prover.prompts import PromptTemplate, load_template
from prover.retrieval.prompt import prompt_fields
from prover.theorem import Theorem

NAME = "search"
SYSTEMS = ("coq", "lean")
USES_MODEL = True
READS = frozenset(
    {
        "attempts",
        "samples",
        "expansions",
        "wall_seconds",
        "tactic_timeout",
        "temperatures",
        "max_tokens",
    }
)
OPTIONS = frozenset({"portfolio", "templates"})
MAX_DEPTH = 50
QUICK_TACTIC_SECONDS = 3.0  # a portfolio tactic on a state below the root
LATER_SHARE = 0.5  # of the clock left, what the root's slow portfolio may take from the model
# The root's slow portfolio stops this long before the clock: `hammer` can ignore Coq's
# Timeout and its interrupt, and was killed 3.7 s past its limit on a loaded machine.
LATER_MARGIN = 2.0
MAX_WIDTH_FACTOR = 4  # a model call asks for at most this many times `samples`
WIDTH_CALL_SHARE = 0.9  # a call that used this share of the time it was given was cut short


def search(
    task: Task, template: PromptTemplate | None = None, automation_only: bool = False
) -> ProofResult:
    """Search for a proof of the task's theorem; without a generator only the automation
    portfolio runs (and then the task's candidate sources alone, when any is on), and with
    `automation_only` the portfolio alone. The task's `retriever` (a
    `prover.retrieval.Retriever`) puts similar library states and lemmas into every prompt
    (`prover.retrieval.prompt.prompt_fields`)."""
    theorem, env, clock = task.theorem, task.env, task.clock
    generator = None if automation_only else task.generator
    candidates = NO_SOURCES if automation_only else task.candidates
    tree = Tree(env, clock)
    task.tally = tree.tally
    verdicts: list[Verdict] = []
    with clock.checker_call():
        root_state = env.open(theorem)
    root = tree.add_node(root_state, 0.0, 0)
    if generator is not None:
        template = template or load_template(f"{theorem.system}_tactic")
    stop = template.stop if template else ()

    def prompt(state: ProofState) -> str:
        assert template is not None
        return template.render(
            theorem=theorem, state=state.text, **prompt_fields(task.retriever, state.text)
        )

    proof, reason = search_from(
        tree,
        root,
        generator,
        task.budget,
        prompt,
        stop,
        verified(theorem, env, tree, verdicts),
        task.portfolio_tactics,
        quick=backend(theorem.system).quick_portfolio(task.portfolio_tactics),
        sources=candidates.for_theorem(theorem.header),
    )
    if proof is not None:
        return accepted(verdicts[-1], proof)
    if tree.rejected:
        reason += f"; {len(tree.rejected)} finished proof(s) rejected by the checker"
    return ProofResult(Status.FAILED, reason=reason)


def run(task: Task) -> ProofResult:
    return search(task)


def best_first_search(
    theorem: Theorem,
    env: ProofEnv,
    generator: Generator | None,
    budget: Budget = Budget(),
    portfolio_tactics: tuple[str, ...] = (),
    template: PromptTemplate | None = None,
    clock: Clock | None = None,
    retriever: Any = None,
    candidates: CandidateSources = NO_SOURCES,
) -> ProofResult:
    """`search` of one theorem, ended as `prover.methods.prove` ends a run (`settle`), for
    callers that choose their own prompt `template`."""
    task = Task(theorem, env, budget, generator, portfolio_tactics, clock, retriever, candidates)
    return settle(task, lambda t: search(t, template))


def search_from(
    tree: Tree,
    root: int,
    generator: Generator | None,
    budget: Budget,
    prompt: Callable[[ProofState], str],
    stop: tuple[str, ...],
    accept: Accept,
    portfolio: tuple[str, ...] = (),
    done: Done = finished,
    max_expansions: int | None = None,
    quick: tuple[str, ...] | None = None,
    sources: Sequence[CandidateSource] = (),
) -> tuple[str | None, str]:
    """Best-first search below node `root` until `accept` takes a path; (proof, "") or (None, why).

    The whole `portfolio` runs at the root; every later state (once per distinct state) gets
    `quick` (default: the portfolio), each tactic at most QUICK_TACTIC_SECONDS: a failing
    portfolio costs 20-45 s per state in Coq (hammer, sauto and nia time out), which would
    leave the model a handful of expansions per theorem. A portfolio tactic that closes some
    of a state's goals but not all makes a new state, which is searched like any other (the
    model's `split.` then needs no second model call for goals `lia` closes one by one).
    Each expansion also runs the candidates of every source in `sources` (prover.candidates:
    templates, kNN), each tactic once, scored like the model's (a child's priority is its
    parent's minus the candidate's log-prob-like score). They run before the model call:
    they need no model time and take milliseconds, and one that closes the goal saves the
    call; the model's samples then run, less those already tried. A source is asked once per
    state (its answer is kept for the state's later expansions, whose tactics the tree's
    cache answers without Coq). A beam call whose beams are mostly duplicates makes the next
    beam call wider (`next_width`); sampling calls (later attempts) keep `budget.samples`.

    A `Portfolio` (prover.assistants.automation) splits the root's portfolio in two: its cheap tactics
    run first, each for at most its `cheap_seconds`; the cheap ones those seconds stopped
    (now with the tactic timeout) and then its slow ones run after the model's first
    `slow_after` expansions (in at most LATER_SHARE of the clock left then), at once without
    a generator, or when the model's budget ends first. Without a generator and without
    sources only the portfolio runs."""
    clock = tree.clock
    tried_portfolio: set[str] = set()
    below_root = portfolio if quick is None else quick
    first, first_seconds, later, later_after = root_schedule(portfolio, budget.tactic_timeout)
    quick_seconds = min(budget.tactic_timeout, QUICK_TACTIC_SECONDS, first_seconds)
    stopped: list[str] = []  # root tactics stopped by `first_seconds`: they run again later

    def run_portfolio(
        node: int,
        tactics: tuple[str, ...],
        seconds: float,
        made: list[int],
        again: bool = False,
        timed_out: list[str] | None = None,
        reserve: float = 0.0,
    ) -> str | None:
        """Run `tactics` on the node's state; the states where one closed some goals (after
        their own quick portfolio) are appended to `made`, for the caller to queue. A state
        gets one portfolio run unless `again`; the tactics stopped by their time limit are
        appended to `timed_out`; `reserve` seconds of the clock are left untouched."""
        state: ProofState = tree.graph.nodes[node]["state"]
        if state.key in tried_portfolio and not again:
            return None
        tried_portfolio.add(state.key)
        for tactic in tactics:
            if tree.out_of_time() or clock.left() - reserve < MIN_TACTIC_SECONDS:
                return None
            result = tree.run(state, tactic, min(seconds, clock.left() - reserve))
            if not result.ok:
                if timed_out is not None and isinstance(result, TimedOut):
                    timed_out.append(tactic)
                continue
            if done(state, result):
                proof = accept([*tree.path(node), tactic])
                end = tree.add_node(None, 0.0, 0, finished=proof is not None)
                tree.graph.add_edge(node, end, tactic=tactic, source="portfolio")
                if proof is not None:
                    return proof
            elif (
                result.state is not None
                and len(result.state.goals) < len(state.goals)
                and result.state.key not in node_of
            ):
                data = tree.graph.nodes[node]
                child = tree.add_node(result.state, data["score"], data["depth"] + 1)
                tree.graph.add_edge(node, child, tactic=tactic, source="portfolio")
                node_of[result.state.key] = child
                made.append(child)
                proof = run_portfolio(child, below_root, quick_seconds, made)
                if proof is not None:
                    return proof
        return None

    root_state: ProofState = tree.graph.nodes[root]["state"]
    node_of: dict[str, int] = {root_state.key: root}  # states met so far keep their node
    root_progress: list[int] = []  # the root portfolio's partial progress seeds every attempt
    proof = run_portfolio(root, first, first_seconds, root_progress, timed_out=stopped)
    if proof is not None:
        return proof, ""
    pending = bool(later or stopped)

    def run_later(share: float) -> str | None:
        """The root's cheap tactics that `first_seconds` stopped, then its slow ones, in at
        most `share` of what is left of the clock."""
        nonlocal pending
        pending = False
        retry = tuple(stopped) if budget.tactic_timeout > first_seconds else ()
        tactics = (*retry, *later)
        reserve = (1.0 - share) * clock.left() + LATER_MARGIN
        return run_portfolio(
            root, tactics, budget.tactic_timeout, root_progress, again=True, reserve=reserve
        )

    if generator is None:
        proof = run_later(1.0) if pending else None
        if proof is not None:
            return proof, ""
    if generator is None and not sources:
        return None, "automation portfolio found no proof"
    proposals: dict[str, list[Candidate]] = {}  # state key -> its sources' candidates

    def propose(state: ProofState) -> list[Candidate]:
        if state.key not in proposals:
            proposals[state.key] = [c for source in sources for c in source(state.text)]
        return proposals[state.key]

    width = budget.samples
    params = budget.sampling(0, stop or ("\n",), None, n=width, beams=True)  # set per attempt

    def asked(state: ProofState, tried: set[str]) -> Iterator[Candidate]:
        """The model's samples for `state` not in `tried`; the call is made when the
        iteration reaches it, after the sources' candidates (no model time; ms each) ran."""
        nonlocal width, params
        if generator is None or clock.left() < MIN_CALL_SECONDS:
            return
        params = replace(params, n=width)
        if not params.beams:
            params = replace(params, n=budget.samples)
        params = _with_seconds(params, clock.left())
        t0 = clock.model
        with clock.model_call():
            samples = generator.generate([prompt(state)], params)[0]
        tree.model_calls += 1
        tree.widths.append(params.n)
        # Few samples from a call cut short by the clock (or none) are not duplicates:
        # only a call that ended on its own says how diverse the model's answers are.
        # Only beam calls widen: beams that agree hide the next-best tactics, which more
        # beams reach; samples that agree say the temperature is too low, and 16-32 samples
        # at 0.4 returned 1-3 distinct tactics for 7-15 s a call (an 8-sample call: ~3 s).
        ended = clock.model - t0 < WIDTH_CALL_SHARE * (params.max_seconds or 0.0)
        if samples and ended and params.beams:
            distinct = len({normalise(s.text) for s in samples} - {""})
            width = next_width(width, distinct, budget.samples)
        for c in merge(model_candidates(samples)):
            if normalise(c.tactic) not in tried:
                yield c

    total = (max_expansions or budget.expansions) * max(budget.attempts, 1)
    per_attempt = max_expansions or budget.expansions
    base_depth = tree.graph.nodes[root]["depth"]
    used = 0
    attempt = 0
    ends: set[tuple[int, str]] = set()  # (node, tactic) that finished, drawn once
    while used < total:
        if tree.out_of_time():
            return None, "wall clock exhausted"
        params = budget.sampling(attempt, stop or ("\n",), None, n=width, beams=True)
        tree.attempts += 1
        seen = {root_state.key}
        queue: list[tuple[float, int, int]] = [(0.0, 0, root)]
        tie = itertools.count(1)
        for node in root_progress:
            seen.add(tree.graph.nodes[node]["state"].key)
            heapq.heappush(queue, (0.0, next(tie), node))
        this_attempt = 0
        while queue and this_attempt < per_attempt and used < total:
            if pending and used >= later_after and (proof := run_later(LATER_SHARE)) is not None:
                return proof, ""
            if clock.left() < MIN_CALL_SECONDS:  # no model call starts with less left
                return None, "wall clock exhausted"
            score, _, node = heapq.heappop(queue)
            state: ProofState = tree.graph.nodes[node]["state"]
            depth = tree.graph.nodes[node]["depth"]
            tree.expansions += 1
            used += 1
            this_attempt += 1
            tried: set[str] = set()  # normalised tactics run on this state in this expansion

            candidates = itertools.chain(merge(propose(state)), asked(state, tried))
            for candidate in candidates:
                tactic = candidate.tactic
                if tree.out_of_time():
                    break
                tried.add(normalise(tactic))
                tree.ran[candidate.source] += 1
                # the model's tactics get the full tactic timeout; the other sources' (many,
                # and mostly structural) a quick one
                seconds = None if candidate.source == "model" else quick_seconds
                result = tree.run(state, tactic, seconds)
                child_score = score - candidate.logprob
                if not result.ok:
                    continue
                if done(state, result):
                    proof = accept([*tree.path(node), tactic])
                    if proof is not None or (node, tactic) not in ends:
                        ends.add((node, tactic))
                        end = tree.add_node(
                            None, child_score, depth + 1, finished=proof is not None
                        )
                        tree.graph.add_edge(
                            node,
                            end,
                            tactic=tactic,
                            rejected=proof is None,
                            source=candidate.source,
                        )
                    if proof is not None:
                        return proof, ""
                    continue
                if not isinstance(result, Progress):
                    continue
                if result.state.key in seen or depth + 1 - base_depth > MAX_DEPTH:
                    continue
                seen.add(result.state.key)
                child = node_of.get(result.state.key)
                if child is None:
                    child = tree.add_node(result.state, child_score, depth + 1)
                    tree.graph.add_edge(
                        node,
                        child,
                        tactic=tactic,
                        logprob=candidate.logprob,
                        source=candidate.source,
                    )
                    node_of[result.state.key] = child
                progress: list[int] = []
                proof = run_portfolio(child, below_root, quick_seconds, progress)
                if proof is not None:
                    return proof, ""
                heapq.heappush(queue, (child_score, next(tie), child))
                for extra in progress:
                    seen.add(tree.graph.nodes[extra]["state"].key)
                    heapq.heappush(queue, (child_score, next(tie), extra))
        attempt += 1
        if generator is None:  # sources alone: a later attempt would propose the same
            return None, "candidate sources found no proof"
    if pending and (proof := run_later(1.0)) is not None:
        return proof, ""
    return None, "expansion budget exhausted"


def next_width(width: int, distinct: int, samples: int) -> int:
    """The next model call's n: doubled (up to MAX_WIDTH_FACTOR x samples) when fewer than
    half of this call's samples were distinct tactics, else unchanged."""
    if distinct * 2 < width:
        return min(width * 2, samples * MAX_WIDTH_FACTOR)
    return width


def _with_seconds(params: SamplingParams, left: float) -> SamplingParams:
    return replace(params, max_seconds=left)
