"""Proofs the prover found join the example pool (valid split only, never test).

A results file's proved Coq theorems are replayed step by step through the Coq env, which
gives the goals before each tactic exactly as the search sees them; each (state, tactic)
becomes a row of `found.jsonl` in the corpus directory, which `Retriever.load` indexes with
the corpus. A record of the test split is refused: the benchmark numbers we publish must
never have seen their own proofs. A record's split comes from the record, or, where the
record has none, from the benchmark's own split lists (a name in the test split is refused).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from prover.assistants.base import TACTIC_TIMEOUT
from prover.assistants.coq.sentences import split_sentences
from prover.retrieval.retriever import FOUND


class SplitRefused(ValueError):
    """A results record of the test split was offered to the example pool."""


@dataclass
class PoolReport:
    added_theorems: int = 0
    added_rows: int = 0
    already: int = 0  # theorems already in the pool
    not_proved: int = 0
    failed_replay: int = 0


def add_found_proofs(
    results: str | Path,
    corpus_dir: str | Path | None = None,
    benchmark: str = "minif2f-rocq",
    data_dir: str | None = None,
    env=None,
) -> PoolReport:
    """Add the proved theorems of `results` (valid split) to the corpus's example pool.
    Raises SplitRefused (adding nothing) when any record belongs to the test split."""
    from prover.corpus import default_corpus_dir
    from prover.datasets import load_benchmark
    from prover.results import read_results

    corpus = Path(corpus_dir) if corpus_dir else default_corpus_dir()
    records = [r for r in read_results(results) if r.system == "coq"]
    theorems = {t.name: t for t in load_benchmark(benchmark, "all", data_dir)}
    test_names = {t.name for t in theorems.values() if t.split == "test"}
    refused = [r.name for r in records if r.split == "test" or r.name in test_names]
    if refused:
        raise SplitRefused(
            f"{len(refused)} record(s) of the test split (e.g. {refused[0]}): only proofs of the "
            "valid split may join the example pool"
        )
    pool = corpus / FOUND
    present = set()
    if pool.exists():
        present = {json.loads(line)["theorem"] for line in pool.open() if line.strip()}
    report = PoolReport()
    own_env = env is None
    if own_env:
        from prover.assistants.registry import backend

        env = backend("coq").create_env(None, TACTIC_TIMEOUT)
    try:
        rows: list[dict] = []
        for rec in records:
            if not rec.status.startswith("proved") or not rec.proof:
                report.not_proved += 1
                continue
            if rec.name in present:
                report.already += 1
                continue
            theorem = theorems.get(rec.name)
            steps = _replay(env, theorem, rec.proof) if theorem else None
            if steps is None:
                report.failed_replay += 1
                continue
            for i, (state, tactic) in enumerate(steps):
                rows.append(
                    {
                        "library": f"found:{benchmark}",
                        "version": rec.config_id,
                        "file": rec.split or "valid",
                        "theorem": rec.name,
                        "step": i,
                        "state": state,
                        "tactic": tactic,
                        "premises": [],
                    }
                )
            report.added_theorems += 1
            present.add(rec.name)
        report.added_rows = len(rows)
        if rows:
            corpus.mkdir(parents=True, exist_ok=True)
            with pool.open("a", encoding="utf-8") as f:
                for row in rows:
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if own_env:
            env.close()
    return report


def _replay(env, theorem, proof: str) -> list[tuple[str, str]] | None:
    """(state before, tactic) for each tactic sentence of `proof`; None if it does not replay."""
    try:
        state = env.open(theorem)
        out = []
        for sentence in split_sentences(proof):
            if sentence in ("{", "}") or set(sentence) <= set("-+*"):
                result = env.run_tactic(state, sentence)
            else:
                before = state.text
                result = env.run_tactic(state, sentence)
                if result.ok:
                    out.append((before, sentence))
            if not result.ok:
                return None
            state = result.state
        return out
    except Exception:
        return None
