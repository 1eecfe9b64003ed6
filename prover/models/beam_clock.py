"""How many decoding steps a beam-search call can afford before its deadline.

Beam search in CTranslate2 takes no callback, so it cannot be stopped at a deadline: the
only control is `max_length`, chosen before the call. A call's time is not proportional to
its steps. On 2 cores, Qwen-0.5B at 32 beams took 1.8 s for 1 step, 4.6 s for 4 and 8.2 s
for 18: a fixed cost (reading the prompt once per beam) and steps that get cheaper as beams
finish. The old estimate, seconds per step averaged over a whole call, was too low for a
short call after a long one, and 3 of 61 theorems overran their wall clock by 2.9-5.2 s.

The estimate here is an upper bound for each recent call's conditions, because the time of
a call never falls as its steps or its prompt grow:

- a call of at most `k_i` steps on a prompt no longer than `L_i` costs at most `t_i`;
- beyond that, at most `t_i * k / k_i * L / L_i` (a fixed cost makes time per step fall
  with more steps, and reading the prompt is what grows with its length).

The slowest of these bounds over the last few calls is used, so a busier machine (another
worker, a hammer's provers) is assumed to still be busy.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

RECENT_CALLS = 4
UNMEASURED_SECONDS_PER_STEP_PER_BEAM = 0.1  # no call of any width measured yet: assume slow


@dataclass(frozen=True)
class BeamCall:
    """One finished beam-search call: its width, decoding steps, prompt tokens read, seconds."""

    width: int
    steps: int
    prompt_tokens: int
    seconds: float

    def bound(self, width: int, steps: int, prompt_tokens: int) -> float:
        """An upper bound on a call of `width`/`steps`/`prompt_tokens` under this call's
        conditions (time grows at most in proportion to beams, steps and prompt length)."""
        return (
            self.seconds
            * max(1.0, width / self.width)
            * max(1.0, steps / self.steps)
            * max(1.0, prompt_tokens / max(self.prompt_tokens, 1))
        )


@dataclass
class BeamClock:
    """The recent beam calls of one generator, by width."""

    recent: int = RECENT_CALLS
    calls: dict[int, deque[BeamCall]] = field(default_factory=dict)

    def record(self, width: int, steps: int, prompt_tokens: int, seconds: float) -> None:
        call = BeamCall(width, max(steps, 1), max(prompt_tokens, 1), seconds)
        self.calls.setdefault(width, deque(maxlen=self.recent)).append(call)

    def predict(self, width: int, steps: int, prompt_tokens: int) -> float:
        """Seconds a call would take at most, judged by the slowest recent call's conditions."""
        known = self.calls.get(width)
        if not known:  # this width is new: scale from the nearest narrower width measured
            narrower = [w for w in self.calls if w < width]
            if not narrower:
                return UNMEASURED_SECONDS_PER_STEP_PER_BEAM * width * (steps + 1)
            known = self.calls[max(narrower)]
        return max(call.bound(width, steps, prompt_tokens) for call in known)

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
