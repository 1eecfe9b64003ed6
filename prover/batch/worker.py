"""A `Worker`: one proof-assistant env and one model, proving theorems one after another."""

from __future__ import annotations

import contextlib
import time
import traceback

from prover.assistants.base import Status
from prover.assistants.registry import backend
from prover.batch.config import EvalConfig
from prover.candidates import KnnPredictor
from prover.methods import ProofResult, prove
from prover.results import ResultRecord
from prover.theorem import Theorem
from prover.version import code_version


def error_record(
    theorem: Theorem, config: EvalConfig, reason: str, seconds: float = 0.0
) -> ResultRecord:
    """The results line for a theorem the prover could not finish (crash, bug, dead worker)."""
    return ProofResult(Status.ERROR, reason=reason, wall_seconds=seconds).to_record(
        theorem, config.method, config.model if config.uses_model else "", config.as_dict()
    )


def _max_rss_mb() -> int:
    """The worker's peak resident memory so far (the model lives here; the assistant's own
    process is capped separately), for the memory-per-worker figure of a run."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


class Worker:
    """One env + one model; recreates the env after it fails beyond its own recovery.

    A context manager: ``with Worker(config) as worker:`` closes the env on the way out."""

    def __init__(self, config: EvalConfig, threads: int | None = None):
        self.config = config
        b = backend(config.system)
        self._create_env = lambda: b.create_env(config.assistant, config.budget.tactic_timeout)
        self.env = self._create_env()
        self.generator = None
        # The kNN tactic predictor of the search's candidate sources (prover.candidates):
        # a `Retriever.tactics` where a corpus retriever is loaded, None until then.
        self.knn: KnnPredictor | None = None
        if config.uses_model:
            if threads:
                import torch

                torch.set_num_threads(threads)
            from prover.models import load_generator

            self.generator = load_generator(
                config.model,
                runtime=config.runtime,
                threads=threads,
                **config.model_options.given(),
            )
        self.retriever = None
        if config.needs_corpus:
            from prover.retrieval import Retriever

            retriever = Retriever.load()  # CorpusMissing says how to build it
            self.retriever = retriever if config.uses_retrieval else None
            self.knn = retriever.tactics if config.uses_knn else None

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def result(self, theorem: Theorem) -> ProofResult:
        """Prove `theorem`; a bug becomes an `error` result (`prove` maps the failures of the
        assistant and the model); the env is recreated after any `error`."""
        cfg = self.config
        t0 = time.monotonic()
        try:
            result = prove(
                theorem,
                cfg.method,
                cfg.budget,
                self.env,
                self.generator,
                cfg.portfolio_tactics,
                retriever=self.retriever,
                candidates=cfg.candidate_sources(knn=self.knn),
            )
        except Exception as e:  # a bug or a backend surprise must not end the batch
            result = ProofResult(Status.ERROR, reason=f"{type(e).__name__}: {e}")
            result.extra["traceback"] = traceback.format_exc(limit=5)
            result.wall_seconds = time.monotonic() - t0
        if result.status is Status.ERROR:
            self._restart_env()
        return result

    def record(self, theorem: Theorem, result: ProofResult) -> ResultRecord:
        """The results line of `result`, tagged with this worker's configuration."""
        cfg = self.config
        return result.to_record(
            theorem, cfg.method, cfg.model if cfg.uses_model else "", cfg.as_dict()
        )

    def prove(self, theorem: Theorem) -> ResultRecord:
        result = self.result(theorem)
        result.extra["worker_max_rss_mb"] = _max_rss_mb()
        result.extra["code"] = code_version()
        return self.record(theorem, result)

    def _restart_env(self) -> None:
        with contextlib.suppress(Exception):
            self.env.close()
        self.env = self._create_env()

    def close(self) -> None:
        self.env.close()
