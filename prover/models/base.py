"""The Generator seam: a batch of prompts in, n scored samples per prompt out.

Modelled on vLLM's split between sampling parameters and the engine: the search builds
`SamplingParams` once from config and every runtime (transformers, vLLM, an
OpenAI-compatible server) honours the same fields.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
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
    calls: int = 0
    prompts: int = 0
    samples: int = 0
    tokens: int = 0
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)


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

    def __init__(self, load: Callable[[], Generator], name: str = ""):
        self._load = load
        self._inner: Generator | None = None
        self.name = name

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
            params = replace(params, max_seconds=params.max_seconds - (time.perf_counter() - t0))
        return inner.generate(prompts, params)

    @property
    def stats(self) -> GeneratorStats:
        return getattr(self._inner, "stats", None) or GeneratorStats()

    def __getattr__(self, attr: str):  # chat, tokenizer ... of the loaded runtime
        if attr.startswith("_"):
            raise AttributeError(attr)
        return getattr(self.load(), attr)
