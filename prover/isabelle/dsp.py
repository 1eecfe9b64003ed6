"""Informal-to-formal proving in Isabelle, Draft-Sketch-Prove style, and the Sledgehammer baseline.

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

from prover.datasets import DatasetError
from prover.generator import Generator, ModelUnavailable, SamplingParams
from prover.isabelle import theory
from prover.isabelle.env import IsabelleEnv
from prover.isabelle.examples import load_examples, select_examples
from prover.prompts import load_template
from prover.proofenv import InvalidStatement, ProofEnvError, Status
from prover.results import ResultRecord
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


def _record(theorem: Theorem, status: Status, method: str, t0: float, **kw) -> ResultRecord:
    return ResultRecord(
        name=theorem.name,
        system="isabelle",
        split=theorem.split,
        status=status.value,
        method=method,
        wall_seconds=round(time.perf_counter() - t0, 3),
        **kw,
    )


def _statement_problem(
    theorem: Theorem, env: IsabelleEnv, method: str, t0: float
) -> ResultRecord | None:
    """A record for a statement that does not check (or an Isabelle that fails), else None."""
    try:
        env.check_statement(theorem)
    except InvalidStatement as e:
        return _record(theorem, Status.INVALID_STATEMENT, method, t0, reason=str(e))
    except ProofEnvError as e:
        return _record(theorem, Status.ERROR, method, t0, reason=f"isabelle failed: {e}")
    return None


def prove_informal(
    theorem: Theorem,
    env: IsabelleEnv,
    generator: Generator,
    attempts: int = 1,
    samples: int = 1,
    wall_seconds: float = 600.0,
    temperature: float = 0.0,
    max_tokens: int = 1024,
    data_dir: str | Path | None = None,
    check_timeout: float = 30.0,
) -> ResultRecord:
    """Draft-sketch-prove one theorem: attempts x samples sketches, holes closed by automation.

    Attempt 0 uses `temperature` (greedy by default, as Llemma's evaluation); later attempts
    sample at 0.6 or more so they can differ. Every sketch is checked; a filled proof counts
    only after `env.verify` re-checks it from scratch.
    """
    method = "informal2formal"
    t0 = time.perf_counter()
    deadline = time.monotonic() + wall_seconds
    problem = _statement_problem(theorem, env, method, t0)
    if problem is not None:
        return problem
    checker_s = time.perf_counter() - t0
    model_s = 0.0
    try:
        examples = select_examples(theorem, load_examples(data_dir))
    except DatasetError as e:
        return _record(theorem, Status.ERROR, method, t0, reason=str(e))
    prompt = build_prompt(theorem, examples)
    stop = load_template("isabelle_dsp").stop
    reasons: list[str] = []
    calls = 0
    stats = HoleStats()
    extra: dict = {"sketches": 0, "holes": 0, "sledgehammer_calls": 0}

    def record(status: Status, **kw) -> ResultRecord:
        extra.update(holes=stats.holes, sledgehammer_calls=stats.sledgehammer_calls)
        return _record(
            theorem,
            status,
            method,
            t0,
            model_calls=calls,
            tactic_calls=stats.checks,
            model_seconds=round(model_s, 3),
            checker_seconds=round(checker_s, 3),
            extra=extra,
            **kw,
        )

    for attempt in range(attempts):
        if time.monotonic() > deadline:
            break
        params = SamplingParams(
            n=samples,
            temperature=temperature if attempt == 0 else max(temperature, 0.6),
            max_tokens=max_tokens,
            stop=stop,
            beam_at_zero=False,
            seed=attempt,
        )
        c = time.perf_counter()
        try:
            completions = generator.generate([prompt], params)[0]
        except ModelUnavailable as e:
            return record(Status.ERROR, reason=f"model unavailable: {e}")
        model_s += time.perf_counter() - c
        calls += 1
        for sample in completions:
            if time.monotonic() > deadline:
                reasons.append("wall clock exhausted")
                break
            extra["sketches"] += 1
            sketch = theory.strip_statement(theorem, sample.text)
            if not sketch:
                reasons.append(
                    "the model changed the statement" if sketch is None else "empty proof"
                )
                continue
            c = time.perf_counter()
            proof, why = close_holes(
                env, theorem, sketch, deadline, check_timeout=check_timeout, stats=stats
            )
            verdict = env.verify(theorem, proof) if proof else None
            checker_s += time.perf_counter() - c
            if verdict is not None and verdict.ok:
                return record(Status.PROVED, proof=proof)
            reasons.append(why or (verdict.reason if verdict else ""))
    return record(Status.FAILED, reason="; ".join(r for r in reasons if r)[:500] or "no sketch")


def sledgehammer_only(
    theorem: Theorem,
    env: IsabelleEnv,
    wall_seconds: float = 600.0,
    with_heuristics: bool = False,
    sledgehammer_timeout: float | None = None,
) -> ResultRecord:
    """Sledgehammer alone on the statement (the published anchor row), within the wall clock.

    With `with_heuristics` the fixed tactic list is tried first (DSP's "Sledgehammer +
    heuristics" row)."""
    method = "sledgehammer"
    t0 = time.perf_counter()
    deadline = time.monotonic() + wall_seconds
    problem = _statement_problem(theorem, env, method, t0)
    if problem is not None:
        return problem
    stats = HoleStats()
    tactics = env.hole_tactics() if with_heuristics else ()
    left = deadline - time.monotonic()
    proof, why = close_holes(
        env,
        theorem,
        "sorry",
        deadline,
        tactics=tactics,
        sledgehammer_timeout=sledgehammer_timeout or max(left - 5, 15.0),
        stats=stats,
        check_sketch=False,  # "sorry" alone: the statement check above already did it
    )
    status = Status.FAILED
    if proof:
        verdict = env.verify(theorem, proof)
        if verdict.ok:
            status = Status.PROVED
        else:
            why = verdict.reason
    return _record(
        theorem,
        status,
        method,
        t0,
        proof=proof if status is Status.PROVED else None,
        reason=why,
        tactic_calls=stats.checks,
        checker_seconds=round(time.perf_counter() - t0, 3),
        extra={"sledgehammer_calls": stats.sledgehammer_calls},
    )
