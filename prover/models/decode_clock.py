"""What a CTranslate2 call can afford before its deadline: how many decoding steps, how wide.

Two parts of a call cannot be interrupted:

- reading the prompt, once per beam or per sample (the engine copies the input for each
  hypothesis), before the first token; with sampling, the engine's per-token callback stops
  decoding at the deadline only after that;
- beam search as a whole: it takes no callback, so its only control is `max_length`, chosen
  before the call.

A call's time is not proportional to its steps. On 2 cores, Qwen-0.5B at 32 beams took 1.8 s
for 1 step, 4.6 s for 4 and 8.2 s for 18 (a fixed cost, then steps that get cheaper as
beams finish); 32 samples at temperature 0.4 took 8.4 s to return one token each with 3 s
allowed. Estimating seconds per step from a whole call let 3 of 61 theorems overrun their
wall clock by 2.9-5.2 s, and a widened sampling call overran by 1.3 s.

The estimate is an upper bound under each recent call's conditions, because a call's time
never falls as its width, steps or prompt grow: a call of at most `w_i` hypotheses, `k_i`
steps and `L_i` prompt tokens costs at most `t_i`; beyond, at most `t_i` times the ratios
(a fixed cost makes each added step cheaper than the average). Of several recent calls of the
same width the slowest bound is used, so a busier machine (another worker, a hammer's
provers) is assumed to still be busy. A width never measured takes the tightest bound from
the other widths' calls.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

RECENT_CALLS = 4
UNMEASURED_SECONDS_PER_STEP_PER_HYPOTHESIS = 0.1  # nothing measured yet: assume slow


@dataclass(frozen=True)
class Call:
    """One finished call: hypotheses, decoding steps, prompt tokens read each, seconds."""

    width: int
    steps: int
    prompt_tokens: int
    seconds: float

    def bound(self, width: int, steps: int, prompt_tokens: int) -> float:
        """An upper bound on a call of `width`/`steps`/`prompt_tokens` under this call's
        conditions (time grows at most in proportion to hypotheses, steps and prompt)."""
        return (
            self.seconds
            * max(1.0, width / self.width)
            * max(1.0, steps / self.steps)
            * max(1.0, prompt_tokens / self.prompt_tokens)
        )


@dataclass
class DecodeClock:
    """One decoding mode's recent calls (beam search; or sampling's first step), by width."""

    recent: int = RECENT_CALLS
    calls: dict[int, deque[Call]] = field(default_factory=dict)

    def record(self, width: int, steps: int, prompt_tokens: int, seconds: float) -> None:
        call = Call(width, max(steps, 1), max(prompt_tokens, 1), seconds)
        self.calls.setdefault(width, deque(maxlen=self.recent)).append(call)

    @property
    def measured(self) -> bool:
        return bool(self.calls)

    def predict(self, width: int, steps: int, prompt_tokens: int) -> float:
        """Seconds a call would take at most (see the module docstring)."""

        def slowest(calls: deque[Call]) -> float:
            return max(call.bound(width, steps, prompt_tokens) for call in calls)

        if width in self.calls:
            return slowest(self.calls[width])
        if self.calls:
            return min(slowest(calls) for calls in self.calls.values())
        return UNMEASURED_SECONDS_PER_STEP_PER_HYPOTHESIS * width * (steps + 1)

    def affordable_steps(self, width: int, seconds: float, wanted: int, prompt_tokens: int) -> int:
        """The most steps (at most `wanted`) whose predicted time fits in `seconds`; 0 if
        even one step does not."""
        if self.predict(width, 1, prompt_tokens) > seconds:
            return 0
        low, high = 1, max(wanted, 1)
        while low < high:  # predict() never falls as steps grow: bisect
            mid = (low + high + 1) // 2
            if self.predict(width, mid, prompt_tokens) <= seconds:
                low = mid
            else:
                high = mid - 1
        return min(low, wanted)

    def widest(
        self, width: int, seconds: float, prompt_tokens: int, narrowest: int = 1, steps: int = 1
    ) -> int:
        """The widest of `width`, `width // 2`, ... (down to `narrowest`) whose first `steps`
        steps fit in `seconds`; 0 if none does. Fewer hypotheses in time beat none at all."""
        while width >= narrowest:
            if self.predict(width, steps, prompt_tokens) <= seconds:
                return width
            if width == narrowest:
                break
            width = max(width // 2, narrowest)
        return 0
