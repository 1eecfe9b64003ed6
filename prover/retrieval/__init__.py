"""Retrieval over the proof corpus: similar (state -> tactic) examples and relevant lemmas
for the prompt (ReProver's premise retrieval, Rango's proof retrieval) and a Tactician-style
nearest-neighbour tactic predictor. See `prover.retrieval.retriever`."""

from __future__ import annotations

from prover.retrieval.retriever import Example, Lemma, Retriever, RetrieverStats

__all__ = ["Example", "Lemma", "Retriever", "RetrieverStats"]
