"""The Ray executor: proof workers as actors, under the same runner as local runs.

Each actor owns a `Worker` (one proof-assistant process, and its own model unless the
config points every worker at one shared OpenAI-compatible server with ``--runtime
openai``, which keeps GPU batches full). `prover.batch.runner.run_batch` does the resume,
results file, progress and summary. A theorem whose actor dies is retried once on a fresh
actor, then marked `error`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from prover.batch.config import EvalConfig
from prover.batch.runner import EvalSummary, run_batch
from prover.batch.worker import Worker, error_record
from prover.results import ResultRecord
from prover.theorem import Theorem


class ProofActor:
    """Ray actor body: a Worker that lives as long as the actor."""

    def __init__(self, config: EvalConfig, threads: int):
        self.worker = Worker(config, threads=threads)

    def prove(self, theorem: Theorem) -> ResultRecord:
        return self.worker.prove(theorem)

    def pid(self) -> int:
        import os

        return os.getpid()


@dataclass
class RayExecutor:
    workers: int
    address: str | None = None  # None: start a local cluster
    cpus_per_worker: float = 1.0
    max_retries: int = 1
    actor_body: type = ProofActor

    def run(
        self, todo: list[Theorem], config: EvalConfig, emit: Callable[[ResultRecord], None]
    ) -> None:
        import ray
        from ray.exceptions import RayActorError, WorkerCrashedError

        if not ray.is_initialized():
            if self.address:
                ray.init(address=self.address, log_to_driver=False)
            else:
                ray.init(
                    num_cpus=max(self.workers, 1) * self.cpus_per_worker,
                    include_dashboard=False,
                    log_to_driver=False,
                )
        actor_cls = ray.remote(num_cpus=self.cpus_per_worker, max_restarts=0)(self.actor_body)
        threads = max(1, int(self.cpus_per_worker))

        def new_actor():
            return actor_cls.remote(config, threads)

        actors = [new_actor() for _ in range(min(self.workers, max(len(todo), 1)))]
        idle = list(actors)
        pending: dict = {}  # ObjectRef -> (theorem, actor, tries)
        queue = [(t, 0) for t in todo]
        try:
            while queue or pending:
                while queue and idle:
                    theorem, tries = queue.pop(0)
                    actor = idle.pop()
                    pending[actor.prove.remote(theorem)] = (theorem, actor, tries)
                ready, _ = ray.wait(list(pending), num_returns=1)
                ref = ready[0]
                theorem, actor, tries = pending.pop(ref)
                try:
                    emit(ray.get(ref))
                    idle.append(actor)
                except (RayActorError, WorkerCrashedError) as e:
                    replacement = new_actor()
                    actors.append(replacement)
                    idle.append(replacement)
                    if tries < self.max_retries:
                        queue.insert(0, (theorem, tries + 1))
                    else:
                        first_line = str(e).splitlines()[0] if str(e) else ""
                        reason = (
                            f"worker died {tries + 1} time(s): {type(e).__name__}: {first_line}"
                        )
                        emit(error_record(theorem, config, reason))
        finally:
            for a in actors:
                with contextlib.suppress(Exception):
                    ray.kill(a, no_restart=True)


def run_eval_ray(
    theorems: list[Theorem],
    config: EvalConfig,
    out: str | Path,
    workers: int,
    address: str | None = None,
    cpus_per_worker: float = 1.0,
    on_result: Callable[[ResultRecord], None] | None = None,
    max_retries: int = 1,
    actor_body: type = ProofActor,
    progress: bool = False,
) -> EvalSummary:
    """Prove `theorems` on `workers` Ray actors; `address=None` starts a local cluster."""
    executor = RayExecutor(workers, address, cpus_per_worker, max_retries, actor_body)
    return run_batch(theorems, config, out, executor, on_result, progress)
