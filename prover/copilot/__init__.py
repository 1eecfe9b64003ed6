"""The editor copilot: checked next-tactic suggestions and proofs from the cursor.

`prover serve` puts it behind HTTP (server.py) for the editors: Emacs + Proof General
(emacs/prover-copilot.el, shipped in the package) and Lean's `suggest`/`prove?` tactics
(lean/ProverCopilot). `prover suggest FILE:LINE` answers in process, or asks a server.
"""

from __future__ import annotations

from pathlib import Path

from prover.candidates import KnnPredictor
from prover.copilot.batching import BatchingGenerator
from prover.copilot.session import SessionPool
from prover.copilot.suggest import Copilot
from prover.models.base import Generator

EMACS_PACKAGE = Path(__file__).parent / "emacs" / "prover-copilot.el"


def build_copilot(
    generator: Generator,
    sessions: int = 3,
    tactic_timeout: float = 5.0,
    batch_window: float = 0.02,
    knn: KnnPredictor | None = None,
) -> Copilot:
    """One model behind a batching queue, an LRU of warm Coq sessions, the Coq portfolio.

    The sessions load the user's file exactly as written (no extra imports), so a proof the
    copilot offers compiles in that file; portfolio tactics whose library the file does not
    import fail fast there. `knn`: a kNN tactic predictor (`Retriever.tactics`) for suggest's
    and prove's candidates, where one is loaded."""
    from prover.assistants.coq import create_env, default_portfolio

    return Copilot(
        generator=BatchingGenerator(generator, window=batch_window),
        sessions=SessionPool(
            lambda: create_env(tactic_timeout=tactic_timeout, memory_mb=2048, portfolio=False),
            size=sessions,
        ),
        portfolio=default_portfolio(),
        knn=knn,
    )


__all__ = ["EMACS_PACKAGE", "Copilot", "build_copilot"]
