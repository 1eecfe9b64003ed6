"""One budget and one clock for every proving method.

`Budget` holds every limit a method may read; each method declares which fields it reads
(`Method.reads`), the CLI refuses an option a method does not read, and only the read
fields enter a run's `config_id`. `Clock` is the one wall clock: it splits a theorem's
time into model calls, proof-assistant calls and (by difference) everything else, and
tells each call how much is left so that no call can overrun the theorem's budget.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any

from prover.models.base import SamplingParams, sampling_params


@dataclass(frozen=True)
class Budget:
    attempts: int = 1  # independent tries (search restarts, whole-proof rounds, sketches)
    samples: int = 8  # candidates per model call
    repair_rounds: int = 2  # whole: times a failed proof's first error goes back to the model
    expansions: int = 32  # search: model calls per attempt; copra: queries
    wall_seconds: float = 600.0  # per theorem, everything included
    tactic_timeout: float = 10.0  # per proof-assistant call
    temperatures: tuple[float, ...] = (0.0,)
    max_tokens: int = 64

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def only(self, names: frozenset[str] | set[str]) -> dict[str, Any]:
        """The fields in `names`, as a JSON-ready dict (what a method's config_id covers)."""
        return {
            n: list(v) if isinstance(v, tuple) else v
            for n in self.field_names()
            if n in names
            for v in [getattr(self, n)]
        }

    def sampling(
        self,
        attempt: int,
        stop: tuple[str, ...],
        seconds_left: float | None,
        n: int | None = None,
        min_temperature: float = 0.0,
    ) -> SamplingParams:
        """Sampling for attempt `attempt`: `n` (default `samples`) completions at the attempt's
        temperature (raised to `min_temperature`), seeded by the attempt, stopped after
        `seconds_left` (what is left of the theorem's clock); samples, never beams."""
        return sampling_params(
            n=self.samples if n is None else n,
            temperature=self.temperature(attempt),
            max_tokens=self.max_tokens,
            stop=stop,
            seconds_left=seconds_left,
            seed=attempt,
            min_temperature=min_temperature,
        )

    def temperature(self, attempt: int) -> float:
        """The temperature of attempt `attempt` (0-based): the given list, then rising by 0.2
        from 0.4 (a 0.5B model's tactics at T >= 1 are mostly not Coq), capped at 1.2."""
        temps = self.temperatures or (0.0,)
        if attempt < len(temps):
            return temps[attempt]
        return round(min(max(temps[-1], 0.2) + 0.2 * (attempt - len(temps) + 1), 1.2), 2)


class Clock:
    """A theorem's wall clock, split into model, checker and overhead seconds."""

    def __init__(self, wall_seconds: float):
        self.budget = wall_seconds
        self.start = time.monotonic()
        self.deadline = self.start + wall_seconds
        self.model = 0.0
        self.checker = 0.0

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def left(self) -> float:
        return max(self.deadline - time.monotonic(), 0.0)

    @property
    def overhead(self) -> float:
        return max(self.elapsed() - self.model - self.checker, 0.0)

    def model_call(self):
        """`with clock.model_call():` counts the block's time as the model's."""
        return self._timed("model")

    def checker_call(self):
        """`with clock.checker_call():` counts the block's time as the proof assistant's."""
        return self._timed("checker")

    @contextmanager
    def _timed(self, account: str) -> Iterator[None]:
        t = time.monotonic()
        try:
            yield
        finally:
            setattr(self, account, getattr(self, account) + time.monotonic() - t)
