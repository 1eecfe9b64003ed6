"""The proof corpus: Coq libraries' proofs replayed into (goal state, tactic) rows.

A corpus directory holds `tactics.jsonl` (one row per replayed tactic sentence: the goals
before it, the tactic, the library lemmas it names), `lemmas.jsonl` (every lemma's name and
statement) and `PROVENANCE.json` (libraries and versions, counts, the miniF2F test-split
exclusion check, build time). Both JSONL files load with
`datasets.load_dataset("json", data_files=...)`. Build one with `prover corpus build`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from prover.corpus.build import (
    LEMMAS,
    PROVENANCE,
    TACTICS,
    BuildReport,
    build_corpus,
    corpus_id,
    default_corpus_dir,
    minif2f_test_statements,
)
from prover.corpus.libraries import DEFAULT_LIBRARIES, Library, known_libraries, library

__all__ = [
    "DEFAULT_LIBRARIES",
    "LEMMAS",
    "PROVENANCE",
    "TACTICS",
    "BuildReport",
    "CorpusMissing",
    "Library",
    "build_corpus",
    "corpus_id",
    "default_corpus_dir",
    "known_libraries",
    "library",
    "load_lemmas",
    "load_tactics",
    "minif2f_test_statements",
]


class CorpusMissing(FileNotFoundError):
    """No corpus where one was expected; the message says how to build it."""


def _rows(path: Path) -> Iterator[dict]:
    if not path.exists():
        raise CorpusMissing(
            f"{path} not found: build the corpus with `prover corpus build` "
            "(the default slice takes a few minutes)"
        )
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def load_tactics(corpus_dir: str | Path | None = None) -> Iterator[dict]:
    """The rows of tactics.jsonl (default: the default corpus)."""
    return _rows(Path(corpus_dir or default_corpus_dir()) / TACTICS)


def load_lemmas(corpus_dir: str | Path | None = None) -> Iterator[dict]:
    """The rows of lemmas.jsonl (default: the default corpus)."""
    return _rows(Path(corpus_dir or default_corpus_dir()) / LEMMAS)
