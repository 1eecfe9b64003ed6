"""Replay proofs through the prover's own Coq driver into (state -> tactic) lines.

Each tactic sentence of a proof is run on the state before it (`prover.assistants.coq.env.CoqEnv`),
and that state, as the search's `ProofState.text` shows it, is written with the tactic in
the corpus format agreed with the corpus builder (one JSON object per line, see
`training/README.md`):

    {"library", "version", "file", "theorem", "step", "state", "tactic", "premises"}

`prover learn` turns the proofs its search found into these lines (the search then learns
its own successful steps); the tests make a small real corpus file this way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from prover.assistants.base import Finished
from prover.assistants.coq.sentences import split_sentences
from prover.theorem import Theorem


@dataclass(frozen=True)
class ReplayedProof:
    theorem: Theorem
    proof: str  # the tactics between `Proof.` and `Qed.`
    library: str = "prover-proofs"
    version: str = ""
    file: str = ""


def _structural(sentence: str) -> bool:
    return sentence.endswith(("{", "}")) or set(sentence) <= set("-+*")


def replay(proofs: Iterable[ReplayedProof], tactic_timeout: float = 10.0) -> Iterator[dict]:
    """Lines for each tactic of each proof, in order; a proof whose replay fails stops at the
    tactic Coq refused (the lines before it are still true steps)."""
    from prover.assistants.coq import create_env

    # The env the search checks its proofs in: its header imports what the automation's
    # tactics need (`intros; lia.` found by the portfolio fails without Lia).
    env = create_env(tactic_timeout=tactic_timeout)
    try:
        for item in proofs:
            state = env.open(item.theorem)
            step = 0
            for sentence in split_sentences(item.proof):
                if sentence in ("Proof.", "Qed.", "Defined."):
                    continue
                before = state
                result = env.run_tactic(state, sentence)
                if not result.ok:
                    break
                if not _structural(sentence):
                    yield {
                        "library": item.library,
                        "version": item.version,
                        "file": item.file,
                        "theorem": item.theorem.name,
                        "step": step,
                        "state": before.text,
                        "tactic": sentence,
                        "premises": [],
                    }
                    step += 1
                if isinstance(result, Finished):
                    break
                state = result.state
    finally:
        env.close()


def write_tactics(proofs: Iterable[ReplayedProof], out: Path, **kw) -> int:
    """Write the replayed lines to `out` (a tactics.jsonl); returns how many."""
    out.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with out.open("w", encoding="utf-8") as f:
        for row in replay(proofs, **kw):
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n
