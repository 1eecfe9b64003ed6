"""The budget a prove/eval run takes for an option left out, beyond prover.methods.Budget's
own defaults: the policy per method and per proof assistant, in one place."""

from __future__ import annotations

from typing import Any

CLI_DEFAULTS: dict[str, Any] = {"max_tokens": 48}
WHOLE_TEXT_TOKENS = 256  # whole and sketch write proofs, not tactics
# DSP as the Llemma paper ran it: one greedy Isar proof of up to 1024 tokens per theorem; each
# candidate theory check gets 30 s.
ISABELLE_DEFAULTS: dict[str, Any] = {"samples": 1, "max_tokens": 1024, "tactic_timeout": 30.0}


def budget_defaults(method_name: str, system: str) -> dict[str, Any]:
    """The CLI's defaults for `method_name` on `system`, by `Budget` field name (the method
    keeps only the fields it reads)."""
    defaults = dict(CLI_DEFAULTS)
    if method_name in ("whole", "sketch"):
        defaults["max_tokens"] = WHOLE_TEXT_TOKENS
    if system == "isabelle":
        defaults |= ISABELLE_DEFAULTS
    return defaults
