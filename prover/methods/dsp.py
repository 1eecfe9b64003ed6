"""Isabelle's side of the `sketch` (Draft-Sketch-Prove) and `sledgehammer` methods.

The model reads a LaTeX statement, its informal proof and the formal statement, and writes
a whole Isar proof: a sketch whose steps may be left open (`sledgehammer` or `sorry`).
Each open step is then closed by the first of a fixed list of automation tactics, or by a
proof Sledgehammer finds, that makes the theory check; the filled proof must then pass a
from-scratch check with no hole left. Budget: attempts x samples, and a wall clock.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from prover.assistants.base import Status
from prover.assistants.isabelle import theory
from prover.assistants.isabelle.env import IsabelleEnv
from prover.assistants.isabelle.examples import load_examples, select_examples
from prover.datasets import DatasetError
from prover.methods.result import ProofResult, accepted
from prover.methods.task import Task
from prover.prompts import load_template
from prover.theorem import Theorem

# Sledgehammer's answer, e.g. "Try this: by (metis h0) (23 ms)" (optionally "vampire: " before it).
_TRY_THIS = re.compile(r"Try this:\s*(.+?)\s*\((?:>\s*)?[\d.]+\s*m?s\)")


def build_prompt(theorem: Theorem, examples: list[str]) -> str:
    template = load_template("isabelle_dsp")
    return template.render(
        examples=examples,
        informal_statement=(theorem.informal_statement or "").strip(),
        informal_proof=(theorem.informal_proof or "").strip(),
        statement=theorem.statement.strip(),
    )


@dataclass
class HoleStats:
    """What closing the holes of one sketch cost."""

    holes: int = 0
    checks: int = 0
    sledgehammer_calls: int = 0
    closed_by: list[str] = field(default_factory=list)


def sledgehammer_suggestions(
    env: IsabelleEnv, theorem: Theorem, proof: str, hole: theory.Hole, timeout: float
) -> list[str]:
    """Run Sledgehammer at one open step; return the one-line proofs it suggests."""
    budget = max(int(timeout) - 10, 5)
    probe = theory.fill(proof, hole, f"sledgehammer [timeout = {budget}]\n  sorry")
    result = env.check(theorem, probe, timeout)
    found = []
    for m in _TRY_THIS.finditer(result.output()):
        suggestion = m.group(1).strip()
        if suggestion.startswith(("by ", "using ", "apply ")) and suggestion not in found:
            found.append(suggestion)
    return found


def close_holes(
    env: IsabelleEnv,
    theorem: Theorem,
    sketch: str,
    deadline: float,
    tactics: tuple[str, ...] | None = None,
    use_sledgehammer: bool = True,
    check_timeout: float = 30.0,
    sledgehammer_timeout: float = 90.0,
    stats: HoleStats | None = None,
    check_sketch: bool = True,
) -> tuple[str | None, str]:
    """Fill every open step of `sketch`, first hole first; (proof, "") or (None, why).

    Each hole gets the fixed tactic list in order, then Sledgehammer's suggestions (DSP's
    order: the cheap heuristics first); the first candidate with which the whole theory
    checks replaces the hole, the later holes standing as `sorry` meanwhile.
    """
    stats = stats if stats is not None else HoleStats()
    tactics = env.hole_tactics() if tactics is None else tactics
    proof = sketch
    for h in reversed(theory.holes(proof)):  # every hole as `sorry` while the others are worked on
        proof = theory.fill(proof, h, "sorry")
    stats.holes = len(theory.holes(proof))
    if check_sketch:
        stats.checks += 1
        first = env.check(theorem, proof, check_timeout)
        if not first.ok:
            return None, f"the sketch does not check: {first.first_error()[:200]}"

    def out_of_time() -> bool:
        return time.monotonic() > deadline

    while theory.holes(proof):
        hole = theory.holes(proof)[0]
        filled = None
        for tactic in tactics:
            if out_of_time():
                return None, "wall clock exhausted"
            candidate = theory.fill(proof, hole, tactic)
            stats.checks += 1
            left = min(check_timeout, deadline - time.monotonic())
            if env.check(theorem, candidate, max(left, 1.0)).ok:
                filled, closer = candidate, tactic
                break
        if filled is None and use_sledgehammer and not out_of_time():
            stats.sledgehammer_calls += 1
            left = min(sledgehammer_timeout, deadline - time.monotonic())
            for suggestion in sledgehammer_suggestions(env, theorem, proof, hole, max(left, 15.0)):
                if out_of_time():
                    return None, "wall clock exhausted"
                candidate = theory.fill(proof, hole, suggestion)
                stats.checks += 1
                if env.check(theorem, candidate, check_timeout).ok:
                    filled, closer = candidate, suggestion
                    break
        if filled is None:
            line = proof.count("\n", 0, hole.start) + 1
            return None, f"no tactic closes the open step on line {line} of the proof"
        stats.closed_by.append(closer)
        proof = filled
    return proof, ""


def prove_informal(task: Task, data_dir: str | Path | None = None) -> ProofResult:
    """Draft-sketch-prove one theorem: attempts x samples sketches, holes closed by automation.

    Attempt 0 uses the first temperature (greedy by default, as Llemma's evaluation); later
    attempts sample at 0.6 or more so they can differ. Each candidate check gets at most
    `tactic_timeout` seconds. Every sketch is checked; a filled proof counts only after
    `env.verify` re-checks it from scratch. `data_dir` holds the few-shot examples."""
    theorem, env, generator = task.theorem, task.env, task.generator
    budget, clock = task.budget, task.clock
    stats = HoleStats()
    calls = 0
    extra: dict = {"sketches": 0}

    def tally(result: ProofResult) -> None:
        result.model_calls = result.expansions = calls
        result.tactic_calls = stats.checks
        result.extra.update(extra, holes=stats.holes, sledgehammer_calls=stats.sledgehammer_calls)

    task.tally = tally
    with clock.checker_call():
        env.check_statement(theorem)
    try:
        examples = select_examples(theorem, load_examples(data_dir))
    except DatasetError as e:
        return ProofResult(Status.ERROR, reason=str(e))
    prompt = build_prompt(theorem, examples)
    stop = load_template("isabelle_dsp").stop
    reasons: list[str] = []
    for attempt in range(budget.attempts):
        if clock.expired():
            break
        # greedy first; later rounds at 0.6 or more (greedy twice writes the same sketch)
        params = budget.sampling(
            attempt, stop, clock.left(), min_temperature=0.6 if attempt else 0.0
        )
        with clock.model_call():
            completions = generator.generate([prompt], params)[0]
        calls += 1
        for sample in completions:
            if clock.expired():
                reasons.append("wall clock exhausted")
                break
            extra["sketches"] += 1
            sketch = theory.strip_statement(theorem, sample.text)
            if not sketch:
                reasons.append(
                    "the model changed the statement" if sketch is None else "empty proof"
                )
                continue
            with clock.checker_call():
                proof, why = close_holes(
                    env,
                    theorem,
                    sketch,
                    clock.deadline,
                    check_timeout=budget.tactic_timeout,
                    stats=stats,
                )
                verdict = env.verify(theorem, proof) if proof else None
            if verdict is not None and verdict.ok:
                return accepted(verdict, proof)
            reasons.append(why or (verdict.reason if verdict else ""))
    return ProofResult(
        Status.FAILED, reason="; ".join(r for r in reasons if r)[:500] or "no sketch"
    )


def sledgehammer_only(task: Task, with_heuristics: bool = False) -> ProofResult:
    """Sledgehammer alone on the statement (the published anchor row), within the wall clock.

    With `with_heuristics` the fixed tactic list is tried first (DSP's "Sledgehammer +
    heuristics" row)."""
    theorem, env, budget, clock = task.theorem, task.env, task.budget, task.clock
    stats = HoleStats()

    def tally(result: ProofResult) -> None:
        result.tactic_calls = stats.checks
        result.extra["sledgehammer_calls"] = stats.sledgehammer_calls

    task.tally = tally
    with clock.checker_call():
        env.check_statement(theorem)
    tactics = env.hole_tactics() if with_heuristics else ()
    with clock.checker_call():
        proof, why = close_holes(
            env,
            theorem,
            "sorry",
            clock.deadline,  # close_holes counts on the time.monotonic scale, as the clock
            tactics=tactics,
            check_timeout=budget.tactic_timeout,
            sledgehammer_timeout=max(clock.left() - 5, 15.0),
            stats=stats,
            check_sketch=False,  # "sorry" alone: the statement check above already did it
        )
        verdict = env.verify(theorem, proof) if proof else None
    if verdict is not None and verdict.ok:
        return accepted(verdict, proof)
    return ProofResult(Status.FAILED, reason=verdict.reason if verdict is not None else why)
