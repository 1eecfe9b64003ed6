"""An automation portfolio with its schedule: which tactics are cheap, and when the slow run.

The search takes its portfolio as a tuple of tactics. A plain tuple runs the way the
first portfolio did: every tactic at the root, in order, each with the budget's tactic
timeout, before the first model call. A `Portfolio` is such a tuple (cheap tactics first,
then the slow ones), and says how to spend time on it:

- the cheap tactics run at the root first, each stopped after `cheap_seconds` (a closer
  that has not closed the goal by then rarely does later: see the portfolio matrix in
  benchmarks/minif2f/), so a failing theorem reaches its first model call in seconds;
- the slow hammers (`sauto`, `hammer`: about 5-10 s each when they fail) run at the root
  after the model's first `slow_after` expansions (at once when there is no model, or when
  the model's budget ends sooner), each with the budget's tactic timeout; then the cheap
  tactics that were stopped by `cheap_seconds` run once more with that timeout.

Being a tuple, a Portfolio goes wherever a tuple of tactics goes (the methods, the copilot,
`quick_portfolio`), and compares equal to the same tactics as a plain tuple.
"""

from __future__ import annotations

from typing import Any


class Portfolio(tuple):
    """Cheap tactics then slow ones, with the seconds each cheap one gets at the root."""

    cheap: tuple[str, ...]
    slow: tuple[str, ...]
    cheap_seconds: float
    slow_after: int

    def __new__(
        cls,
        cheap: tuple[str, ...],
        slow: tuple[str, ...] = (),
        cheap_seconds: float = 2.0,
        slow_after: int = 4,
    ) -> Portfolio:
        if cheap_seconds <= 0:
            raise ValueError(f"cheap_seconds must be positive, not {cheap_seconds}")
        if slow_after < 0:
            raise ValueError(f"slow_after must be 0 or more, not {slow_after}")
        self = super().__new__(cls, (*cheap, *slow))
        self.cheap = tuple(cheap)
        self.slow = tuple(slow)
        self.cheap_seconds = float(cheap_seconds)
        self.slow_after = int(slow_after)
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # pickled for worker processes and Ray actors
        return (Portfolio, (self.cheap, self.slow, self.cheap_seconds, self.slow_after))

    def __repr__(self) -> str:
        return (
            f"Portfolio(cheap={self.cheap!r}, slow={self.slow!r}, "
            f"cheap_seconds={self.cheap_seconds:g}, slow_after={self.slow_after})"
        )


def root_schedule(
    tactics: tuple[str, ...], tactic_timeout: float
) -> tuple[tuple[str, ...], float, tuple[str, ...], int]:
    """(first tactics, their seconds each, later tactics, model expansions before the later).

    A plain tuple: everything first, at the tactic timeout, nothing later."""
    if isinstance(tactics, Portfolio):
        seconds = min(tactics.cheap_seconds, tactic_timeout)
        return tactics.cheap, seconds, tactics.slow, tactics.slow_after
    return tuple(tactics), tactic_timeout, (), 0
