"""copra: a COPRA-style in-context agent (Thakur et al. 2024), as a baseline inside the same harness.

A chat model sees the goals, the tactics that already failed on this state with the
assistant's error messages, and the path so far, and proposes one tactic per query. The
agent walks depth-first: an error or a state already on the stack counts as a failure of
that state; a state that fails `max_failures` times is abandoned and the agent backtracks
to its parent. The budget is counted in model queries (`Budget.expansions`), as in the
COPRA paper; one query proposes one tactic, so it does not read `samples`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Protocol

from prover.assistants.base import Finished, Progress, ProofState, Status
from prover.methods.result import ProofResult, accepted
from prover.methods.task import Task
from prover.models.base import Sample, SamplingParams
from prover.theorem import Theorem

NAME = "copra"
SYSTEMS = ("coq", "lean")
USES_MODEL = True
READS = frozenset({"expansions", "wall_seconds", "tactic_timeout", "temperatures", "max_tokens"})
OPTIONS: frozenset[str] = frozenset()
MAX_FAILURES = 4  # failed proposals before a state is abandoned
MAX_DEPTH = 30

SYSTEM_PROMPT = (
    "You are a proof assistant expert. You are given the goals of an unfinished {system} proof, the "
    "steps taken so far, and tactics that already failed here with their error messages. Reply with "
    "exactly one next tactic, on one line, and nothing else. Do not repeat a failed tactic."
)


class ChatModel(Protocol):
    def chat(self, messages: list[dict[str, str]], params: SamplingParams) -> list[Sample]: ...


@dataclass
class _Frame:
    state: ProofState
    tactic: str  # the tactic that led here ("" for the root)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (tactic, error)


def render_messages(theorem: Theorem, stack: list[_Frame]) -> list[dict[str, str]]:
    frame = stack[-1]
    steps = "\n".join(f.tactic for f in stack[1:]) or "(none)"
    failed = "\n".join(f"[{t}] failed: {e.strip()[:300]}" for t, e in frame.failures) or "(none)"
    user = (
        f"Theorem:\n{theorem.statement}\n\nSteps so far:\n{steps}\n\n"
        f"Current goals:\n{frame.state.text}\n\nFailed tactics on these goals:\n{failed}\n\nNext tactic:"
    )
    return [
        {"role": "system", "content": SYSTEM_PROMPT.format(system=theorem.system)},
        {"role": "user", "content": user},
    ]


def copra_search(task: Task, model: ChatModel, max_failures: int = MAX_FAILURES) -> ProofResult:
    """Walk the task's theorem depth-first, one tactic per query of `model`, within
    `expansions` queries and the clock."""
    theorem, env, budget, clock = task.theorem, task.env, task.budget, task.clock
    queries = tactic_calls = 0
    rejected: list[str] = []

    def tally(result: ProofResult) -> None:
        result.model_calls = result.expansions = queries
        result.tactic_calls = tactic_calls
        result.rejected = rejected

    task.tally = tally
    with clock.checker_call():
        root = env.open(theorem)
    params = budget.sampling(0, ("\n",), None, n=1, beams=True)
    stack = [_Frame(root, "")]
    while stack:
        if queries >= budget.expansions:
            return ProofResult(Status.FAILED, reason="query budget exhausted")
        if clock.expired():
            return ProofResult(Status.FAILED, reason="wall clock exhausted")
        frame = stack[-1]
        if len(frame.failures) >= max_failures or len(stack) > MAX_DEPTH:
            stack.pop()  # backtrack: the parent records this branch as a failure
            if stack:
                stack[-1].failures.append((frame.tactic, "led to a dead end"))
            continue
        with clock.model_call():
            samples = model.chat(
                render_messages(theorem, stack), replace(params, max_seconds=clock.left())
            )
        queries += 1
        tactic = samples[0].text.strip().strip("`").strip() if samples else ""
        if not tactic:
            frame.failures.append(("", "empty reply"))
            continue
        if any(tactic == f for f, _ in frame.failures):
            frame.failures.append((tactic, "repeated a failed tactic"))
            continue
        with clock.checker_call():
            tactic_calls += 1
            result = env.run_tactic(frame.state, tactic, timeout=clock.left())
        if not result.ok:
            frame.failures.append((tactic, result.message))
        elif isinstance(result, Finished):
            proof = env.proof_text([f.tactic for f in stack[1:]] + [tactic])
            with clock.checker_call():
                verdict = env.verify(theorem, proof)
            if verdict.ok:
                return accepted(verdict, proof)
            rejected.append(verdict.reason)
            frame.failures.append((tactic, f"rejected by the checker: {verdict.reason}"))
        else:
            assert isinstance(result, Progress)
            if any(f.state.key == result.state.key for f in stack):
                frame.failures.append((tactic, "made no progress (returned to an earlier goal)"))
            else:
                stack.append(_Frame(result.state, tactic))
    return ProofResult(Status.FAILED, reason="every branch abandoned")


def run(task: Task) -> ProofResult:
    return copra_search(task, as_chat_model(task.generator))


def as_chat_model(generator) -> ChatModel:
    """Use a runtime's own chat endpoint when it has one, else apply the tokenizer's chat template."""
    if hasattr(generator, "chat"):
        return generator
    tokenizer = getattr(generator, "tokenizer", None)
    if tokenizer is None or not getattr(tokenizer, "chat_template", None):
        raise ValueError(
            "the COPRA agent needs a chat model (a tokenizer with a chat template, or an OpenAI-compatible chat server)"
        )
    return _TemplateChat(generator, tokenizer)


@dataclass
class _TemplateChat:
    generator: object
    tokenizer: object

    def chat(self, messages: list[dict[str, str]], params: SamplingParams) -> list[Sample]:
        prompt = self.tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True
        )
        return self.generator.generate([prompt], params)[0]
