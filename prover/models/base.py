"""The Generator seam: a batch of prompts in, n scored samples per prompt out.

Modelled on vLLM's split between sampling parameters and the engine: the search builds
`SamplingParams` once from config and every runtime (transformers, vLLM, an
OpenAI-compatible server) honours the same fields.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable


class ModelUnavailable(Exception):
    """The model could not be reached or loaded (after retries); the theorem is `error`."""


# No model call is worth starting with less than this left: a call reads its prompt before
# its first step, and so before its first chance to stop (about 1-2 s for a search prompt with
# 8 beams or samples on 2 busy cores); a call cut that short would return nothing of use.
MIN_CALL_SECONDS = 2.0


class CompletionPrompt(str):
    """A prompt to be continued as it is, never wrapped in a chat template: few-shot
    tactic prompts. Qwen2.5-Coder-0.5B-Instruct continues the Coq one with the goal's own
    names (`pose proof (pow2_ge_0 (a - b)).`) and answers the same text as a chat turn
    with `intros.`, `split.` and `lia.` whatever the goal.

    `shared`: how many leading characters every prompt of its template has in common (the
    instructions and examples); an engine may keep the model's state for them between calls
    instead of reading them again each time."""

    shared: int

    def __new__(cls, text: str, shared: int = 0) -> CompletionPrompt:
        prompt = super().__new__(cls, text)
        prompt.shared = shared
        return prompt


@dataclass(frozen=True)
class SamplingParams:
    """What one model call may produce; refuses, like vLLM's, values no runtime can honour
    (a runtime that silently clamped `n=0` to one sample hid the caller's mistake)."""

    n: int = 8
    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = 64
    stop: tuple[str, ...] = ("\n",)
    # With temperature 0 and n > 1, runtimes that can run beam search return the n best
    # beams (Llemma's harness does this); others sample at the lowest non-zero temperature.
    beam_at_zero: bool = True
    seed: int | None = 0
    # Stop generating after this long (the search passes what is left of its wall clock).
    max_seconds: float | None = None

    @property
    def beams(self) -> bool:
        """Whether a runtime that can should return the n best beams rather than n samples."""
        return self.temperature <= 0 and self.n > 1 and self.beam_at_zero

    def __post_init__(self) -> None:
        problem = _sampling_problem(self)
        if problem is not None:
            raise ValueError(f"SamplingParams: {problem}")


def _sampling_problem(p: SamplingParams) -> str | None:
    if p.n < 1:
        return f"n must be at least 1, got {p.n}"
    if p.temperature < 0:
        return f"temperature must be non-negative, got {p.temperature}"
    if not 0 < p.top_p <= 1:
        return f"top_p must be in (0, 1], got {p.top_p}"
    if p.max_tokens < 1:
        return f"max_tokens must be at least 1, got {p.max_tokens}"
    if p.max_seconds is not None and p.max_seconds < 0:
        return f"max_seconds must be non-negative, got {p.max_seconds}"
    return None


def sampling_params(
    *,
    n: int,
    temperature: float,
    max_tokens: int,
    stop: tuple[str, ...],
    seconds_left: float | None,
    seed: int | None = 0,
    beams: bool = False,
    min_temperature: float = 0.0,
    top_p: float = 1.0,
) -> SamplingParams:
    """The one builder of a model call's parameters, so that each method's sampling rule
    reads as an argument instead of a copy of the fields.

    `beams`: at temperature 0 with n > 1, ask for the n best beams (the tactic search, as
    Llemma's harness) rather than the lowest-temperature samples. `min_temperature` raises
    a lower temperature to it (DSP's later rounds: greedy twice gives the same sketch).
    `seconds_left`: what is left of the caller's clock (None: no limit)."""
    if temperature >= 0:  # a negative one is refused below, never raised into range
        temperature = max(temperature, min_temperature)
    return SamplingParams(
        n=n,
        temperature=temperature,
        top_p=top_p,
        max_tokens=max_tokens,
        stop=stop,
        beam_at_zero=beams,
        seed=seed,
        max_seconds=seconds_left,
    )


@dataclass(frozen=True)
class Sample:
    """One completion: its text (stop string removed), cumulative log-probability, length."""

    text: str
    logprob: float
    num_tokens: int

    @property
    def normalized_logprob(self) -> float:
        """Per-token log-probability: Llemma's harness scores each step this way."""
        return self.logprob / max(self.num_tokens, 1)


@dataclass
class GeneratorStats:
    """What a runtime counts: its model calls (a server's batching is judged by them)."""

    calls: int = 0


@runtime_checkable
class Generator(Protocol):
    def generate(self, prompts: list[str], params: SamplingParams) -> list[list[Sample]]:
        """Return, for each prompt, up to `params.n` samples (best first)."""
        ...


def best_unique(samples: list[Sample]) -> list[Sample]:
    """Identical texts collapse to their best-scored copy; best first (every runtime returns this)."""
    best: dict[str, Sample] = {}
    for s in samples:
        if s.text not in best or s.logprob > best[s.text].logprob:
            best[s.text] = s
    return sorted(best.values(), key=lambda s: -s.logprob)


class LazyGenerator:
    """A generator that loads its model on the first `generate` (or any other use).

    Loading a model takes seconds and hundreds of MB; a theorem the automation portfolio
    proves, a statement that does not type-check or a malformed file never needs it. A
    failed load raises `ModelUnavailable` from that first call, which the search turns into
    an `error` verdict for the theorem at hand, and is tried again for the next one.
    """

    min_load_seconds = 2.0  # loading takes seconds: with less time left, do not start

    def __init__(self, load: Callable[[], Generator]):
        self._load = load
        self._inner: Generator | None = None

    @property
    def loaded(self) -> bool:
        return self._inner is not None

    def load(self) -> Generator:
        if self._inner is None:
            self._inner = self._load()
        return self._inner

    def generate(self, prompts: list[str], params: SamplingParams) -> list[list[Sample]]:
        t0, loading = time.perf_counter(), self._inner is None
        if (
            loading
            and params.max_seconds is not None
            and params.max_seconds < self.min_load_seconds
        ):
            return [[] for _ in prompts]  # loading alone would overrun the caller's budget
        inner = self.load()
        if loading and params.max_seconds is not None:  # loading spent part of the caller's time
            left = max(params.max_seconds - (time.perf_counter() - t0), 0.0)
            params = replace(params, max_seconds=left)
        return inner.generate(prompts, params)

    @property
    def stats(self) -> GeneratorStats:
        return getattr(self._inner, "stats", None) or GeneratorStats()

    def __getattr__(self, attr: str):  # chat, tokenizer ... of the loaded runtime
        if attr.startswith("_"):
            raise AttributeError(attr)
        return getattr(self.load(), attr)
