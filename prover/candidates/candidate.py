"""A candidate tactic and where it came from: the unit every candidate source yields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# Where a candidate came from; the search counts its proofs' tactics by these (and
# "portfolio" for the automation it runs itself), so an ablation can attribute proofs.
SOURCES: tuple[str, ...] = ("model", "knn", "template", "automation")


@dataclass(frozen=True)
class Candidate:
    """One tactic to try. `logprob` is a log-probability-like score (<= 0, higher is better)
    that ranks it against every other source's: the model's is its length-normalised
    log-probability (the per-step score the search accumulates); a template's is its
    family's fixed prior; the nearest-neighbour predictor's is its own."""

    tactic: str
    logprob: float
    source: str

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"unknown candidate source {self.source!r}; one of {SOURCES}")


# A candidate source: the printed state (ProofState.text) -> its candidates.
CandidateSource = Callable[[str], list[Candidate]]


def normalise(tactic: str) -> str:
    """The text two candidates are the same tactic by: whitespace collapsed, one final
    period dropped (`lia` and `lia.` run the same sentence)."""
    text = " ".join(tactic.split())
    return text[:-1].rstrip() if text.endswith(".") and not text.endswith("..") else text


def merge(*groups: list[Candidate]) -> list[Candidate]:
    """All candidates, each tactic once, best score first. A tactic several sources propose
    keeps its best score; its source is "model" when the model proposed it (it would have
    been tried without the other sources), else the best-scored proposer's."""
    best: dict[str, Candidate] = {}
    from_model: set[str] = set()
    for group in groups:
        for c in group:
            key = normalise(c.tactic)
            if not key:
                continue
            if c.source == "model":
                from_model.add(key)
            if key not in best or c.logprob > best[key].logprob:
                best[key] = c
    out = [
        Candidate(c.tactic.strip(), c.logprob, "model") if k in from_model else c
        for k, c in best.items()
    ]
    out.sort(key=lambda c: -c.logprob)
    return out
