"""The default policy: the budget a run starts from, per method and proof assistant.

`Budget()`'s own values are the library's; a run from the command line starts from
`default_budget(method, system)` instead, and the user's options replace its fields. The
CLI's help texts show the same values, so what a help text says is what a run gets.
"""

from __future__ import annotations

from typing import Any

from prover.methods.budget import Budget

TACTIC_TOKENS = 48  # a tactic: one line
WHOLE_TEXT_TOKENS = 256  # whole and sketch write proofs, not tactics
# DSP as the Llemma paper ran it: one greedy Isar proof of up to 1024 tokens per theorem; each
# candidate theory check gets 30 s.
ISABELLE = {"samples": 1, "max_tokens": 1024, "tactic_timeout": 30.0}


def budget_defaults(method: str, system: str) -> dict[str, Any]:
    """The budget keys whose default for `method` on `system` is not `Budget()`'s."""
    defaults: dict[str, Any] = {"max_tokens": TACTIC_TOKENS}
    if method in ("whole", "sketch", "informal2formal"):
        defaults["max_tokens"] = WHOLE_TEXT_TOKENS
    if system == "isabelle":
        defaults |= ISABELLE
    return defaults


def default_budget(
    method: str, system: str, reads: frozenset[str] | None = None, **given: Any
) -> Budget:
    """The budget a run of `method` on `system` gets: the defaults of the keys in `reads`
    (all keys when None), then the `given` values (by key, e.g. `wall_seconds`)."""
    defaults = budget_defaults(method, system)
    chosen = {k: v for k, v in defaults.items() if reads is None or k in reads}
    return Budget.from_keys({**chosen, **given})
