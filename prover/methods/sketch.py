"""sketch: draft-sketch-prove. The model writes the proof's skeleton with holes; automation
and a short search close each hole; the assembled proof is checked whole.

Coq holes are `admit.` (also `assert (h : P) by admit.`), Lean holes `sorry` (also
`have h : P := by sorry`). The sketch runs step by step from the theorem's root; at a hole,
the portfolio, then a best-first search of at most `expansions` model calls, must close
the hole's goal (the goals after are the goals before, less the first). The hole is
replaced by what closed it, never accepted as a hole; the finished text must then pass the
from-scratch verdict. On Isabelle this is Draft-Sketch-Prove as in the DSP paper: the model
reads the informal statement and proof, holes are `sorry`/`sledgehammer`, closed by a
tactic list and Sledgehammer (prover.methods.dsp).
"""

from __future__ import annotations

from dataclasses import replace

from prover.assistants.base import Finished, Progress, ProofState, Status, TacticResult
from prover.methods.budget import Budget
from prover.methods.result import ProofResult, accepted
from prover.methods.search import READS as SEARCH_READS
from prover.methods.search import search_from
from prover.methods.task import Task
from prover.methods.tree import Tree
from prover.models.base import Generator
from prover.prompts import load_template

NAME = "sketch"
SYSTEMS = ("coq", "lean", "isabelle")
USES_MODEL = True
READS = SEARCH_READS  # the sketch itself (attempts x samples) and each hole's search
OPTIONS = frozenset({"portfolio"})


def hole_closed(hole: ProofState, result: TacticResult) -> bool:
    """The hole's goal (the first) is gone and the others are as they were."""
    match result:
        case Finished():
            return True
        case Progress(state=state):
            if state.subproof_done:  # the assistant says the focused goal is closed
                return True
            goals = [_conclusion(g) for g in state.goals]
            return goals == [_conclusion(g) for g in hole.goals[1:]]
        case _:
            return False


def _conclusion(goal: str) -> str:
    """A goal's conclusion, whitespace-normalised: assistants print the hypotheses of the
    first goal only (Coq), so goals are compared by what they ask to prove."""
    for marker in ("============================", "⊢"):
        if marker in goal:
            goal = goal.rsplit(marker, 1)[1]
    return " ".join(goal.split())


def fill_sketch(
    tree: Tree,
    root: ProofState,
    steps: list[str],
    is_hole,
    generator: Generator | None,
    budget: Budget,
    portfolio: tuple[str, ...],
    prompt,
    stop: tuple[str, ...],
    stats: dict[str, int],
) -> tuple[list[str] | None, str]:
    """Run the sketch's steps from `root`, closing each hole; (filled steps, "") or (None, why)."""
    state, out = root, []
    for i, step in enumerate(steps):
        if tree.out_of_time():
            return None, "wall clock exhausted"
        if is_hole(step):
            stats["holes"] += 1
            hole = state
            closing: dict[str, TacticResult] = {}

            def done(_parent: ProofState, result: TacticResult, hole=hole, closing=closing) -> bool:
                if hole_closed(hole, result):
                    closing["result"] = result
                    return True
                return False

            node = tree.add_node(hole, 0.0, 0, hole=stats["holes"])
            closer, why = search_from(
                tree,
                node,
                generator,
                replace(budget, attempts=1),
                prompt,
                stop,
                accept=lambda tactics: "\n".join(tactics),
                portfolio=portfolio,
                done=done,
            )
            if closer is None:
                return None, f"hole {stats['holes']} (step {i + 1}) not closed: {why}"
            stats["closed"] += 1
            out.append(closer)
            result = closing["result"]
        else:
            result = tree.run(state, step)
            if not result.ok:
                return (
                    None,
                    f"the sketch fails at step {i + 1} ({step.strip()[:60]}): {result.message[:200]}",
                )
            out.append(step)
        if isinstance(result, Finished):
            return out, ""
        assert isinstance(result, Progress)
        state = result.state
    return None, "the sketch leaves goals open"


def sketch_proof(task: Task) -> ProofResult:
    """Sketches from the model, each run step by step with its holes closed, until one
    filled sketch passes the verdict (Coq, Lean)."""
    from prover.assistants.registry import backend

    theorem, env, generator = task.theorem, task.env, task.generator
    budget, clock = task.budget, task.clock
    b = backend(theorem.system)
    assert b.sketch_steps is not None and b.is_hole is not None
    tree = Tree(env, clock)
    template = load_template(f"{theorem.system}_sketch")
    tactic = load_template(f"{theorem.system}_tactic")
    stats = {"sketches": 0, "holes": 0, "closed": 0}
    reasons: list[str] = []

    def tally(result: ProofResult) -> None:
        result.extra.update(stats)
        tree.tally(result)

    task.tally = tally

    def prompt(state: ProofState) -> str:
        return tactic.render(theorem=theorem, state=state.text)

    with clock.checker_call():
        root = env.open(theorem)
    text = template.render(theorem=theorem)
    for attempt in range(budget.attempts):
        if tree.out_of_time():
            break
        params = budget.sampling(attempt, template.stop, clock.left())
        with clock.model_call():
            completions = generator.generate([text], params)[0]
        tree.model_calls += 1
        seen: set[str] = set()
        for c in completions:
            sketch = b.extract(c.text)
            if not sketch or sketch in seen:
                continue
            seen.add(sketch)
            stats["sketches"] += 1
            try:
                steps = b.sketch_steps(sketch)
            except ValueError as e:
                reasons.append(f"unreadable sketch: {e}")
                continue
            filled, why = fill_sketch(
                tree,
                root,
                steps,
                b.is_hole,
                generator,
                budget,
                task.portfolio_tactics,
                prompt,
                tactic.stop,
                stats,
            )
            if filled is None:
                reasons.append(why)
                if tree.out_of_time():
                    break
                continue
            proof = env.proof_text(filled)
            with clock.checker_call():
                verdict = env.verify(theorem, proof)
            if verdict.ok:
                return accepted(verdict, proof)
            tree.rejected.append(verdict.reason)
            reasons.append(f"rejected by the checker: {verdict.reason}")
    return ProofResult(Status.FAILED, reason="; ".join(reasons)[:500] or "no sketch")


def run(task: Task) -> ProofResult:
    if task.theorem.system == "isabelle":
        from prover.methods.dsp import prove_informal

        return prove_informal(task)
    return sketch_proof(task)
