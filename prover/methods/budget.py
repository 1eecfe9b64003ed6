"""One budget and one clock for every proving method.

`Budget` holds every limit a method may read; each method declares which fields it reads,
by their config keys (`Method.reads`), the CLI refuses an option a method does not read, and only the read
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

from prover.assistants.base import TACTIC_TIMEOUT
from prover.models.base import SamplingParams, sampling_params

# A field's key in a run's config (and so in its config_id) where it differs from the field's
# name: the wall-clock limit was first called `wall_seconds`, which results lines still use
# for the limit while `Counts.wall_seconds` is the time measured.
_KEYS = {"wall_limit": "wall_seconds"}
_FIELDS = {key: name for name, key in _KEYS.items()}


class BudgetError(ValueError):
    """A budget value no method can run with; `key` is its config key (the CLI names the flag)."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key} {message}")
        self.key = key


@dataclass(frozen=True)
class Budget:
    attempts: int = 1  # independent tries (search restarts, whole-proof rounds, sketches)
    samples: int = 8  # candidates per model call
    repair_rounds: int = 2  # whole: times a failed proof's first error goes back to the model
    expansions: int = 32  # search: model calls per attempt; copra: queries
    wall_limit: float = 600.0  # seconds per theorem, everything included (key: wall_seconds)
    tactic_timeout: float = TACTIC_TIMEOUT  # per proof-assistant call
    temperatures: tuple[float, ...] = (0.0,)
    max_tokens: int = 64

    def __post_init__(self) -> None:
        """Refuse a value no method can run with, at once, rather than at the first model call
        (SamplingParams refuses n=0) or never (a zero tactic timeout fails every tactic)."""
        at_least = {
            "attempts": 1,
            "samples": 1,
            "max_tokens": 1,
            "repair_rounds": 0,
            "expansions": 0,
        }
        for name, low in at_least.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise BudgetError(name, f"must be a whole number of at least {low}, not {value!r}")
        if not self.wall_limit >= 0:
            raise BudgetError("wall_seconds", f"must be 0 or more, not {self.wall_limit!r}")
        if not self.tactic_timeout > 0:
            raise BudgetError("tactic_timeout", f"must be positive, not {self.tactic_timeout!r}")
        if any(not t >= 0 for t in self.temperatures):
            raise BudgetError("temperatures", f"must be 0 or more, not {list(self.temperatures)}")

    @classmethod
    def config_keys(cls) -> tuple[str, ...]:
        """The fields' keys in a run's config: what methods declare they read (`READS`) and
        what the CLI's options set."""
        return tuple(_KEYS.get(f.name, f.name) for f in fields(cls))

    @classmethod
    def from_keys(cls, values: dict[str, Any]) -> Budget:
        """A budget from config keys (`wall_seconds` for `wall_limit`)."""
        return cls(**{_FIELDS.get(k, k): v for k, v in values.items()})

    def get(self, key: str) -> Any:
        """The value of the field whose config key is `key`."""
        return getattr(self, _FIELDS.get(key, key))

    def as_config(self) -> dict[str, Any]:
        """Every field under its config key, as a JSON-ready dict."""
        return self.only(set(self.config_keys()))

    def only(self, names: frozenset[str] | set[str]) -> dict[str, Any]:
        """The fields whose keys are in `names`, as a JSON-ready dict (what a method's
        config_id covers)."""
        return {
            k: list(v) if isinstance(v, tuple) else v
            for k in self.config_keys()
            if k in names
            for v in [self.get(k)]
        }

    def sampling(
        self,
        attempt: int,
        stop: tuple[str, ...],
        seconds_left: float | None,
        n: int | None = None,
        min_temperature: float = 0.0,
        beams: bool = False,
    ) -> SamplingParams:
        """Sampling for attempt `attempt`: `n` (default `samples`) completions at the attempt's
        temperature (raised to `min_temperature`), seeded by the attempt, stopped after
        `seconds_left` (what is left of the theorem's clock). `beams`: at temperature 0, the
        n best beams where the runtime can (the tactic search and copra, as Llemma's harness);
        otherwise samples. Every method builds its model calls here."""
        return sampling_params(
            n=self.samples if n is None else n,
            temperature=self.temperature(attempt),
            max_tokens=self.max_tokens,
            stop=stop,
            seconds_left=seconds_left,
            seed=attempt,
            min_temperature=min_temperature,
            beams=beams,
        )

    def temperature(self, attempt: int) -> float:
        """The temperature of attempt `attempt` (0-based): the given list, then rising by 0.2
        from 0.4 (a 0.5B model's tactics at T >= 1 are mostly not Coq), capped at 1.2."""
        temps = self.temperatures or (0.0,)
        if attempt < len(temps):
            return temps[attempt]
        return round(min(max(temps[-1], 0.2) + 0.2 * (attempt - len(temps) + 1), 1.2), 2)


class Clock:
    """A theorem's wall clock, split into model, checker and (by difference) other seconds."""

    def __init__(self, wall_limit: float):
        self.budget = wall_limit
        self.start = time.monotonic()
        self.deadline = self.start + wall_limit
        self.model = 0.0
        self.checker = 0.0

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def left(self) -> float:
        return max(self.deadline - time.monotonic(), 0.0)

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
