"""Informal-to-formal proving in Isabelle, Draft-Sketch-Prove style, and the Sledgehammer baseline.

The model reads a LaTeX statement, its informal proof and the formal statement, and writes
a whole Isar proof: a sketch whose steps may be left open (`sledgehammer` or `sorry`).
Each open step is then closed by the first of a fixed list of automation tactics, or by a
proof Sledgehammer finds, that makes the theory check; the filled proof must then pass a
from-scratch check with no hole left. Budget: attempts x samples, and a wall clock.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from prover.generator import Generator, ModelUnavailable, SamplingParams
from prover.isabelle import theory
from prover.isabelle.env import IsabelleEnv
from prover.prompts import load_template
from prover.proofenv import InvalidStatement, ProofEnvError, Status
from prover.results import ResultRecord
from prover.theorem import Theorem

# Llemma's two few-shot sets, chosen by whether the statement is a number theory problem.
NUMBER_THEORY_SET = (
    "aime_1983_p9",
    "mathd_numbertheory_188",
    "numbertheory_2dvd4expn",
    "mathd_numbertheory_466",
    "mathd_numbertheory_48",
    "mathd_numbertheory_335",
    "mathd_numbertheory_284",
)
OTHER_SET = (
    "aime_1983_p9",
    "algebra_3rootspoly_amdtamctambeqnasqmbpctapcbtdpasqmbpctapcbta",
    "mathd_numbertheory_188",
    "amc12b_2002_p3",
    "algebra_binomnegdiscrineq_10alt28asqp1",
    "algebra_2rootsintpoly_am10tap11eqasqpam110",
)
_TRY_THIS = re.compile(r"Try this:\s*(.+?)\s*\(\s*[\d.]+\s*m?s\s*\)")


def load_examples(data_dir: str | Path | None = None) -> list[dict]:
    """The DSP paper's hand-written examples (dsp-prompt-examples/prompt_examples.jsonl), if present."""
    from prover.datasets import candidate_dirs

    for d in candidate_dirs(data_dir):
        f = d / "dsp-prompt-examples" / "prompt_examples.jsonl"
        if f.exists():
            return [
                json.loads(line)
                for line in f.read_text(encoding="utf-8").splitlines()
                if line.strip()
            ]
    return []


def select_examples(theorem: Theorem, examples: list[dict]) -> list[str]:
    """Llemma's prompt set for this problem, never including the problem itself or a test problem on test."""
    wanted = NUMBER_THEORY_SET if "numbertheory" in theorem.statement else OTHER_SET
    by_name = {e.get("minif2f_name") or e.get("tag"): e for e in examples}
    chosen = []
    for name in wanted:
        e = by_name.get(name)
        if e is None or name == theorem.name:
            continue
        if theorem.split == "test" and e.get("minif2f_split") == "test":
            continue
        chosen.append(e["prompt"].strip())
    return chosen


def build_prompt(theorem: Theorem, examples: list[str]) -> str:
    template = load_template("isabelle_dsp")
    return template.render(
        examples=examples,
        informal_statement=(theorem.informal_statement or "").strip(),
        informal_proof=(theorem.informal_proof or "").strip(),
        statement=theorem.statement.strip(),
    )


def sledgehammer_suggestions(
    env: IsabelleEnv, theorem: Theorem, proof: str, hole: theory.Hole, timeout: float
) -> list[str]:
    """Run Sledgehammer at one open step; return the proofs it suggests ("by ..." texts)."""
    probe = theory.fill(proof, hole, "sledgehammer\n  sorry")
    result = env.check(theorem, probe, timeout)
    found = []
    for m in _TRY_THIS.finditer(result.output()):
        suggestion = m.group(1).strip()
        if suggestion.startswith(("by ", "using ")) and suggestion not in found:
            found.append(suggestion)
    return found


def close_holes(
    env: IsabelleEnv,
    theorem: Theorem,
    sketch: str,
    deadline: float,
    tactics: tuple[str, ...] = theory.HOLE_TACTICS,
    use_sledgehammer: bool = True,
    check_timeout: float = 60.0,
) -> tuple[str | None, str]:
    """Fill every open step of `sketch`; (proof, "") on success, (None, why) otherwise."""
    proof = sketch
    for h in reversed(theory.holes(proof)):  # every hole as `sorry` while the others are worked on
        proof = theory.fill(proof, h, "sorry")
    first = env.check(theorem, proof, check_timeout)
    if not first.ok:
        return (
            None,
            f"the sketch does not check: {first.errors[0].text[:200] if first.errors else 'timeout'}",
        )
    while theory.holes(proof):
        if time.monotonic() > deadline:
            return None, "wall clock exhausted"
        hole = theory.holes(proof)[0]
        filled = None
        for tactic in tactics:
            if time.monotonic() > deadline:
                return None, "wall clock exhausted"
            candidate = theory.fill(proof, hole, tactic)
            if env.check(theorem, candidate, check_timeout).ok:
                filled = candidate
                break
        if filled is None and use_sledgehammer:
            for suggestion in sledgehammer_suggestions(env, theorem, proof, hole, check_timeout):
                candidate = theory.fill(proof, hole, suggestion)
                if env.check(theorem, candidate, check_timeout).ok:
                    filled = candidate
                    break
        if filled is None:
            return None, f"no tactic closes the open step at offset {hole.start}"
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
) -> ResultRecord:
    t0 = time.perf_counter()
    deadline = time.monotonic() + wall_seconds
    model_s = checker_s = 0.0
    try:
        c = time.perf_counter()
        env.check_statement(theorem)
        checker_s += time.perf_counter() - c
    except InvalidStatement as e:
        return _record(theorem, Status.INVALID_STATEMENT, "informal2formal", t0, reason=str(e))
    except ProofEnvError as e:
        return _record(theorem, Status.ERROR, "informal2formal", t0, reason=f"isabelle failed: {e}")
    prompt = build_prompt(theorem, select_examples(theorem, load_examples(data_dir)))
    stop = load_template("isabelle_dsp").stop
    reasons: list[str] = []
    calls = 0
    for attempt in range(attempts):
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
            return _record(
                theorem, Status.ERROR, "informal2formal", t0, reason=f"model unavailable: {e}"
            )
        model_s += time.perf_counter() - c
        calls += 1
        for sample in completions:
            if time.monotonic() > deadline:
                break
            sketch = theory.strip_statement(theorem, sample.text)
            if not sketch:
                reasons.append(
                    "the model changed the statement" if sketch is None else "empty proof"
                )
                continue
            c = time.perf_counter()
            proof, why = close_holes(env, theorem, sketch, deadline)
            verdict = env.verify(theorem, proof) if proof else None
            checker_s += time.perf_counter() - c
            if verdict is not None and verdict.ok:
                return _record(
                    theorem,
                    Status.PROVED,
                    "informal2formal",
                    t0,
                    proof=proof,
                    model_calls=calls,
                    model_seconds=round(model_s, 3),
                    checker_seconds=round(checker_s, 3),
                )
            reasons.append(why or (verdict.reason if verdict else ""))
    return _record(
        theorem,
        Status.FAILED,
        "informal2formal",
        t0,
        reason="; ".join(r for r in reasons if r)[:500],
        model_calls=calls,
        model_seconds=round(model_s, 3),
        checker_seconds=round(checker_s, 3),
    )


def sledgehammer_only(
    theorem: Theorem, env: IsabelleEnv, wall_seconds: float = 600.0, with_heuristics: bool = False
) -> ResultRecord:
    """Sledgehammer alone on the statement (the published anchor row); optionally with the tactic list too."""
    t0 = time.perf_counter()
    deadline = time.monotonic() + wall_seconds
    try:
        env.check_statement(theorem)
    except InvalidStatement as e:
        return _record(theorem, Status.INVALID_STATEMENT, "sledgehammer", t0, reason=str(e))
    except ProofEnvError as e:
        return _record(theorem, Status.ERROR, "sledgehammer", t0, reason=f"isabelle failed: {e}")
    tactics = theory.HOLE_TACTICS if with_heuristics else ()
    proof, why = close_holes(
        env, theorem, "sorry", deadline, tactics=tactics, check_timeout=min(wall_seconds, 300.0)
    )
    if proof:
        verdict = env.verify(theorem, proof)
        if verdict.ok:
            return _record(
                theorem,
                Status.PROVED,
                "sledgehammer",
                t0,
                proof=proof,
                checker_seconds=round(time.perf_counter() - t0, 3),
            )
        why = verdict.reason
    return _record(
        theorem,
        Status.FAILED,
        "sledgehammer",
        t0,
        reason=why,
        checker_seconds=round(time.perf_counter() - t0, 3),
    )
