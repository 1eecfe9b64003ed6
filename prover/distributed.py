"""Distributed evaluation on Ray: proof workers as actors, same results file and resume rules.

Each actor owns a `Worker` (one proof-assistant process, and its own model unless the
config points every worker at one shared OpenAI-compatible server with ``--runtime
openai``, which keeps GPU batches full). The driver appends results exactly like the local
runner. A theorem whose actor dies is retried once on a fresh actor, then marked `error`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

from prover.evaluate import EvalConfig, EvalSummary, Worker, check_resumable, error_record
from prover.results import ResultRecord, ResultsWriter
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
) -> EvalSummary:
    """Prove `theorems` on `workers` Ray actors; `address=None` starts a local cluster."""
    import ray
    from ray.exceptions import RayActorError, WorkerCrashedError

    out = Path(out)
    done = check_resumable(out, config)
    todo = [t for t in theorems if t.name not in done]
    writer = ResultsWriter(out)
    summary = EvalSummary(
        out=out, counts={}, total=len(theorems), skipped=len(theorems) - len(todo)
    )
    from collections import Counter

    summary.counts = Counter()
    if not ray.is_initialized():
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(
                num_cpus=max(workers, 1) * cpus_per_worker,
                include_dashboard=False,
                log_to_driver=False,
            )
    actor_cls = ray.remote(num_cpus=cpus_per_worker, max_restarts=0)(actor_body)
    threads = max(1, int(cpus_per_worker))

    def new_actor():
        return actor_cls.remote(config, threads)

    t0 = time.perf_counter()
    actors = [new_actor() for _ in range(min(workers, max(len(todo), 1)))]
    idle = list(actors)
    pending: dict = {}  # ObjectRef -> (theorem, actor, tries)
    queue = [(t, 0) for t in todo]

    def record(rec: ResultRecord) -> None:
        writer.append(rec)
        summary.counts[rec.status] += 1
        summary.records.append(rec)
        if on_result:
            on_result(rec)

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
                record(ray.get(ref))
                idle.append(actor)
            except (RayActorError, WorkerCrashedError) as e:
                idle.append(new_actor())  # replace the dead actor
                if tries < max_retries:
                    queue.insert(0, (theorem, tries + 1))
                else:
                    first_line = str(e).splitlines()[0] if str(e) else ""
                    record(
                        error_record(
                            theorem,
                            config,
                            f"worker died {tries + 1} time(s): {type(e).__name__}: {first_line}",
                        )
                    )
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        for a in {id(a): a for a in actors + idle}.values():
            with contextlib.suppress(Exception):
                ray.kill(a, no_restart=True)
    summary.wall_seconds = time.perf_counter() - t0
    return summary
