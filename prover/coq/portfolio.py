"""The automation portfolio: the CoqHammer/Sledgehammer-style baseline and the search's helper.

Nine decision procedures and automation tactics, each alone and after `intros` (18 in
all); the env wraps each in `Timeout` (10 s by default). Their libraries are added to the
header through `PORTFOLIO_IMPORTS`, and the final check uses the same header.
"""

from __future__ import annotations

PORTFOLIO_IMPORTS = "Require Import Lia Lra Psatz.\nFrom Hammer Require Import Hammer Tactics."

_BASE = ("lia", "lra", "nra", "nia", "field", "ring", "auto", "sauto", "hammer")

DEFAULT_PORTFOLIO: tuple[str, ...] = tuple(f"{t}." for t in _BASE) + tuple(
    f"intros; {t}." for t in _BASE
)
