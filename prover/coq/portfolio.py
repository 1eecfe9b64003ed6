"""The automation portfolio: the CoqHammer/Sledgehammer-style baseline and the search's helper.

Nine decision procedures and automation tactics, each alone and after `intros` (18 in
all); the env wraps each in `Timeout` (10 s by default). Their libraries are imported
through `PORTFOLIO_IMPORTS` *before* the statement's own header, so the header's notations
and scopes win (imported after, Hammer's Tactics shadow names some statements use), and
the final check uses the same header.
"""

from __future__ import annotations

PORTFOLIO_IMPORTS = "Require Import Lia Lra Psatz.\nFrom Hammer Require Import Hammer Tactics."
# `hammer` on a goal over the reals reserves about 2 GiB of address space before its ATPs run
# (1 GiB and 2 GiB caps: "Fatal error: out of memory"); with the portfolio, coqtop gets 3 GiB.
PORTFOLIO_MEMORY_MB = 3072

_BASE = ("lia", "lra", "nra", "nia", "field", "ring", "auto", "sauto", "hammer")

DEFAULT_PORTFOLIO: tuple[str, ...] = tuple(f"{t}." for t in _BASE) + tuple(
    f"intros; {t}." for t in _BASE
)
