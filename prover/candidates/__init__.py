"""Candidate tactics beyond the model's samples, ranked together with them.

A candidate source is any callable `(state_text) -> list[Candidate]`. The search
(prover.methods.search) and the copilot's suggest (prover.copilot.suggest) merge the model's
samples with every enabled source (`merge`: each tactic once, best score first) and run them
on the state. Sources:

    template    tactics over the state's own hypotheses and variables (templates.py)
    knn         the tactics of the nearest corpus states (a `Retriever.tactics`), via `knn_source`
    automation  fixed tactics (the copilot's quick portfolio), via `fixed_source`
    model       the model's samples, via `model_candidates`

`CandidateSources` is the switchboard a run carries: which sources are on, and the kNN
predictor when there is one. It makes the sources for one theorem (`for_theorem`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from prover.candidates.candidate import SOURCES, Candidate, CandidateSource, merge, normalise
from prover.candidates.templates import template_source, templates

# A kNN tactic predictor: `Retriever.tactics(goal, k) -> [(tactic, score <= 0), ...]`.
KnnPredictor = Callable[[str, int], list[tuple[str, float]]]

__all__ = [
    "SOURCES",
    "Candidate",
    "CandidateSource",
    "CandidateSources",
    "KnnPredictor",
    "fixed_source",
    "knn_source",
    "merge",
    "model_candidates",
    "normalise",
    "template_source",
    "templates",
]


@dataclass(frozen=True)
class CandidateSources:
    """Which candidate sources a search or a copilot uses besides the model.

    `templates`: the template source (on by default for runs from the CLI; off where a
    caller passes no CandidateSources). `knn`: a kNN predictor (`Retriever.tactics`), None
    when no corpus/retriever is at hand or it is switched off; `knn_k` its candidates per state.
    """

    templates: bool = True
    knn: KnnPredictor | None = None
    knn_k: int = 8

    def for_theorem(self, header: str = "") -> list[CandidateSource]:
        """The enabled sources for one theorem (templates read its header's definitions)."""
        sources: list[CandidateSource] = []
        if self.templates:
            sources.append(template_source(header))
        if self.knn is not None:
            sources.append(knn_source(self.knn, self.knn_k))
        return sources


NO_SOURCES = CandidateSources(templates=False)


def knn_source(predict: KnnPredictor, k: int = 8) -> CandidateSource:
    """A kNN predictor's answers as candidates (source "knn"), its scores capped at 0."""

    def source(state_text: str) -> list[Candidate]:
        return [Candidate(t, min(float(s), 0.0), "knn") for t, s in predict(state_text, k) if t]

    return source


def fixed_source(
    tactics: Iterable[str], logprob: float, source: str = "automation"
) -> CandidateSource:
    """The same tactics for every state, each with the same score."""
    fixed = [Candidate(t, logprob, source) for t in tactics]
    return lambda _state_text: list(fixed)


def model_candidates(samples: Iterable[Any]) -> list[Candidate]:
    """A generator's samples (prover.models.base.Sample) as candidates scored by their
    length-normalised log-probability, the per-step score the search accumulates."""
    return [
        Candidate(s.text.strip(), s.normalized_logprob, "model") for s in samples if s.text.strip()
    ]
