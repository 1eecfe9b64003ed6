"""Retrieval over the proof corpus: similar (state -> tactic) examples and relevant lemmas
for the prompt (ReProver's premise retrieval, Rango's proof retrieval) and a Tactician-style
nearest-neighbour tactic predictor. See `prover.retrieval.retriever`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prover.retrieval.retriever import Example, Lemma, Retriever, RetrieverStats

__all__ = ["Example", "Lemma", "Retriever", "RetrieverStats", "build_index"]


def build_index(corpus_dir: Path) -> dict[str, Any]:
    """Build (or load, when current) the retrieval index of a freshly built corpus, so the
    first search that needs it does not pay for it (tens of seconds for the default slice);
    what it cost goes into the corpus's provenance."""
    retriever = Retriever.load(corpus_dir)
    return {
        "index_seconds": round(retriever.stats.load_seconds, 1),
        "index_built": retriever.stats.index_built,
    }
