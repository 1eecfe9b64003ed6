"""whole: the model writes the whole proof; failed proofs go back to it with the error.

Attempts x samples: each attempt asks for `samples` proofs at the attempt's temperature.
Each proof is checked whole (`Checker.check`); a failure's first error (the assistant's
message, and the goal at the failure where the assistant gives one) goes back to the model
for up to `repair_rounds` corrected versions (DeepSeek-Prover-V2, Kimina-Prover and
Goedel-Prover-V2's self-correction). A proof that checks counts only after `verify`. It uses
only the whole-text `Checker` seam, so it runs on every assistant (Isabelle included).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from prover.assistants.base import Checker, Status
from prover.methods.result import ProofResult, accepted
from prover.methods.task import Task
from prover.prompts import load_template

NAME = "whole"
SYSTEMS = ("coq", "lean", "isabelle")
USES_MODEL = True
READS = frozenset(
    {
        "attempts",
        "samples",
        "repair_rounds",
        "wall_seconds",
        "tactic_timeout",
        "temperatures",
        "max_tokens",
    }
)
OPTIONS: frozenset[str] = frozenset()


@dataclass
class _Counts:
    model_calls: int = 0
    checks: int = 0
    repairs: int = 0


def whole_proof(task: Task, checker: Checker, extract: Callable[[str], str]) -> ProofResult:
    """Prove the task's theorem by whole proofs and repair rounds; `extract` turns a
    completion into a proof."""
    theorem, generator, budget, clock = task.theorem, task.generator, task.budget, task.clock
    counts = _Counts()
    rejected: list[str] = []
    errors: list[str] = []
    first = load_template(f"{theorem.system}_whole")
    repair = load_template(f"{theorem.system}_repair")

    def generate(prompt: str, n: int, attempt: int, stop) -> list[str]:
        params = budget.sampling(attempt, stop, clock.left(), n)
        with clock.model_call():
            samples = generator.generate([prompt], params)[0]
        counts.model_calls += 1
        out: list[str] = []
        for s in samples:
            proof = extract(s.text)
            if proof and proof not in out:
                out.append(proof)
        return out

    def attempt_proof(proof: str) -> ProofResult | None:
        """Check `proof`, repairing it up to R times; a result when proved, else None."""
        for round_ in range(budget.repair_rounds + 1):
            if clock.expired():
                return None
            with clock.checker_call():
                counts.checks += 1
                check = checker.check(theorem, proof, timeout=clock.left())
            if check.ok:
                with clock.checker_call():
                    verdict = checker.verify(theorem, proof)
                if verdict.ok:
                    return accepted(verdict, proof, extra={"repair_rounds_used": round_})
                rejected.append(verdict.reason)
                error, goal = f"rejected by the checker: {verdict.reason}", ""
            else:
                error, goal = check.error, check.goal
            errors.append(error.splitlines()[-1][:200] if error else "")
            if round_ == budget.repair_rounds or clock.expired():
                return None
            prompt = repair.render(
                theorem=theorem, proof=proof, error=error[:1500], goal=goal[:1500]
            )
            fixed = generate(prompt, 1, 0, repair.stop)  # at the first (greedy) temperature
            counts.repairs += 1
            if not fixed:
                return None
            proof = fixed[0]
        return None

    def tally(r: ProofResult) -> None:
        r.model_calls, r.expansions, r.tactic_calls = (
            counts.model_calls,
            counts.model_calls,
            counts.checks,
        )
        r.rejected = rejected
        r.extra["repairs"] = counts.repairs

    task.tally = tally
    with clock.checker_call():
        checker.check_statement(theorem)
    prompt = first.render(theorem=theorem)
    for attempt in range(budget.attempts):
        if clock.expired():
            break
        for proof in generate(prompt, budget.samples, attempt, first.stop):
            done = attempt_proof(proof)
            if done is not None:
                return done
            if clock.expired():
                break
    why = "wall clock exhausted" if clock.expired() else "no proof checked"
    last = f"; last error: {errors[-1]}" if errors and errors[-1] else ""
    return ProofResult(Status.FAILED, reason=f"{why}{last}")


def run(task: Task) -> ProofResult:
    from prover.assistants.registry import backend

    b = backend(task.theorem.system)
    return whole_proof(task, b.checker(task.env), b.extract)
