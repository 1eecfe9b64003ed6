"""Batch evaluation: prove a list of theorems, one results line each, resumable, Ctrl-C safe.

One runner (`run_batch`) owns what every way of running shares: resume (skip names already
in the results file, refuse a file of another configuration), the durable results writer,
progress and the summary. Where the theorems are proved is an executor's business
(prover.batch.executors: `InProcess`, `ProcessPool`; prover.batch.ray: `RayExecutor`); a
`prover.batch.worker.Worker` owns one proof-assistant env and one model.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from prover.batch.config import EvalConfig
from prover.batch.executors import Executor, InProcess, ProcessPool
from prover.results import ResultRecord, ResultsWriter, read_results
from prover.theorem import Theorem

__all__ = [
    "ConfigMismatch",
    "EvalConfig",
    "EvalSummary",
    "check_resumable",
    "run_batch",
    "run_eval",
]


class ConfigMismatch(Exception):
    """The results file was written by a run with other settings."""


@dataclass
class EvalSummary:
    out: Path
    counts: Counter
    total: int
    skipped: int
    interrupted: bool = False
    wall_seconds: float = 0.0
    records: list[ResultRecord] = field(default_factory=list)


def check_resumable(out: Path, config: EvalConfig) -> set[str]:
    """Names already finished in `out`; refuses a file written with other settings."""
    existing = read_results(out)
    others = {r.config_id for r in existing if r.config_id and r.config_id != config.id}
    if others:
        raise ConfigMismatch(
            f"{out} holds results of another configuration ({', '.join(sorted(others))}; this run is "
            f"{config.id}); write to a new --out file, or re-run with the original settings to resume"
        )
    return {r.name for r in existing}


def run_batch(
    theorems: list[Theorem],
    config: EvalConfig,
    out: str | os.PathLike,
    executor: Executor,
    on_result: Callable[[ResultRecord], None] | None = None,
    progress: bool = True,
) -> EvalSummary:
    """Prove what `out` does not hold yet on `executor`, appending one line per theorem."""
    out = Path(out)
    done = check_resumable(out, config)
    todo = [t for t in theorems if t.name not in done]
    writer = ResultsWriter(out)
    summary = EvalSummary(
        out=out, counts=Counter(), total=len(theorems), skipped=len(theorems) - len(todo)
    )
    t0 = time.perf_counter()
    try:
        with _progress(progress, len(todo)) as advance:

            def emit(rec: ResultRecord) -> None:
                writer.append(rec)
                summary.counts[rec.status] += 1
                summary.records.append(rec)
                advance(rec)
                if on_result:
                    on_result(rec)

            if todo:
                executor.run(todo, config, emit)
    except KeyboardInterrupt:
        summary.interrupted = True
    summary.wall_seconds = time.perf_counter() - t0
    return summary


def run_eval(
    theorems: list[Theorem],
    config: EvalConfig,
    out: str | os.PathLike,
    workers: int = 1,
    on_result: Callable[[ResultRecord], None] | None = None,
    progress: bool = True,
    threads: int | None = None,
) -> EvalSummary:
    """Local runs: one worker in process, or a pool of `workers` processes.
    `threads`: torch threads per worker (default: all cores for one worker, an equal share for a pool)."""
    executor: Executor = (
        InProcess(threads) if workers <= 1 or len(theorems) <= 1 else ProcessPool(workers, threads)
    )
    return run_batch(theorems, config, out, executor, on_result, progress)


class _progress:
    """A rich progress bar on a terminal, plain lines otherwise (CI logs, pipes)."""

    def __init__(self, enabled: bool, total: int):
        self.enabled, self.total = enabled, total
        self._bar = None
        self._n = 0

    def __enter__(self):
        if self.enabled and sys.stderr.isatty():
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(
                TextColumn("[bold]proving"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[last]}"),
                TimeElapsedColumn(),
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task("prove", total=self.total, last="")
        return self._advance

    def _advance(self, rec: ResultRecord) -> None:
        self._n += 1
        if self._bar is not None:
            self._bar.update(self._task, advance=1, last=f"{rec.name}: {rec.status}")
        elif self.enabled:
            print(
                f"[{self._n}/{self.total}] {rec.name}: {rec.status} ({rec.wall_seconds:.1f}s)",
                file=sys.stderr,
                flush=True,
            )

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.stop()
        return False
