"""The automation portfolio: the CoqHammer/Sledgehammer-style baseline and the search's helper.

Two portfolios, chosen with `--automation` (see `portfolio(name)`):

- `classic`: nine decision procedures and automation tactics, each alone and after
  `intros` (18 in all), `sauto` and `hammer` among the plain forms; the turn-1 baseline.
- `default`: cheap closers first (each answers in well under a second when it fails, or
  is stopped after `CHEAP_SECONDS`), then the slow hammers with what is left. The cheap
  closers were kept because each proved more on the valid split for its time
  (benchmarks/minif2f/portfolio_matrix.py; figures in benchmarks/README.md).

Their libraries are imported through the imports *before* the statement's own header, so
the header's notations and scopes win (imported after, Hammer's Tactics shadow names some
statements use), and the final check uses the same header. Every tactic is plain Coq over
those imports (no Ltac of our own), so a proof found is a proof any reader can replay.
"""

from __future__ import annotations

from prover.assistants.automation import Portfolio

CLASSIC_IMPORTS = "Require Import Lia Lra Psatz.\nFrom Hammer Require Import Hammer Tactics."
# ZifyNat/ZifyN teach `lia`/`nia` nat and N division, modulo and powers, and turn Z's
# `/` and `mod` into Euclidean division equations before solving: `lia` alone then proves
# `n mod 4 = 3 -> (2 * n) mod 4 = 2` (Z or nat); without them it fails on every `mod`.
PORTFOLIO_IMPORTS = (
    "Require Import Lia Lra Psatz ZifyNat ZifyN.\nFrom Hammer Require Import Hammer Tactics."
)
# `hammer` on a goal over the reals reserves about 2 GiB of address space before its ATPs run
# (1 GiB and 2 GiB caps: "Fatal error: out of memory"); with the portfolio, coqtop gets 3 GiB.
PORTFOLIO_MEMORY_MB = 3072

_BASE = ("lia", "lra", "nra", "nia", "field", "ring", "auto", "sauto", "hammer")

CLASSIC_PORTFOLIO: tuple[str, ...] = tuple(f"{t}." for t in _BASE) + tuple(
    f"intros; {t}." for t in _BASE
)

# Rewrite with every hypothesis that defines a function (`H : forall x, f x = ...`, one or
# two arguments) everywhere it applies; a definition that mentions itself is stopped by the
# tactic's timeout.
REWRITE_DEFINITIONS = (
    "repeat match goal with"
    " | H : forall _ _, _ = _ |- _ => progress rewrite ?H in *"
    " | H : forall _, _ = _ |- _ => progress rewrite ?H in * end"
)
CHEAP_SECONDS = 2.0  # on the valid stride sample every cheap close took under 1.4 s
SLOW_AFTER = 4  # the search's model expansions before the slow hammers run at the root

# Kept because each proves more on the valid stride sample for its time (see the module
# docstring); cheapest and most productive first. Every one fails in about 0.05 s where its
# theory does not apply (no `R`, no function hypothesis: `progress` fails at once).
CHEAP_PORTFOLIO: tuple[str, ...] = (
    "intros; lia.",
    "intros; lra.",
    "intros; nra.",
    "intros; nia.",
    "intros; field.",
    "intros; auto.",
    "intros; psatz R 2.",
    "intros; split_Rabs; nra.",
    f"intros; progress ({REWRITE_DEFINITIONS}); first [lia | lra | nra].",
    f"intros; progress ({REWRITE_DEFINITIONS}); psatz R 2.",
    "intros; ring.",
    "intros; sauto.",
)
# The slow hammers: they run after the model's first expansions, with the tactic timeout.
SLOW_PORTFOLIO: tuple[str, ...] = ("intros; hammer.",)

DEFAULT_PORTFOLIO: tuple[str, ...] = Portfolio(
    CHEAP_PORTFOLIO, SLOW_PORTFOLIO, cheap_seconds=CHEAP_SECONDS, slow_after=SLOW_AFTER
)

PORTFOLIOS: dict[str, tuple[tuple[str, ...], str]] = {
    "default": (DEFAULT_PORTFOLIO, PORTFOLIO_IMPORTS),
    "classic": (CLASSIC_PORTFOLIO, CLASSIC_IMPORTS),
}
