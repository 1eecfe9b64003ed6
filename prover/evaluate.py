"""Batch evaluation: prove a list of theorems, one results line each, resumable, Ctrl-C safe.

A `Worker` owns one proof-assistant env and one model; `run_eval` drives one worker in
process (``workers=1``) or a pool of worker processes, each with its own env and model,
appending a line to the results file as each theorem finishes.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing as mp
import os
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prover.proofenv import ProofEnv, ProofEnvError, Status
from prover.results import ResultRecord, ResultsWriter, config_id, read_results
from prover.search import SearchConfig, best_first_search
from prover.theorem import Theorem

METHODS = ("search", "portfolio", "copra", "informal2formal", "sledgehammer")


class ConfigMismatch(Exception):
    """The results file was written by a run with other settings."""


@dataclass(frozen=True)
class EvalConfig:
    """Everything that decides what a run can prove (its digest tags every results line)."""

    system: str
    method: str = "search"
    model: str = "embedded"
    runtime: str = "hf"
    search: SearchConfig = field(default_factory=SearchConfig)
    env_options: dict[str, Any] = field(default_factory=dict)
    model_options: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        d = {
            "system": self.system,
            "method": self.method,
            "search": self.search.as_dict(),
            "env_options": self.env_options,
        }
        if self.uses_model:
            d |= {"model": self.model, "runtime": self.runtime, "model_options": self.model_options}
        return d

    @property
    def uses_model(self) -> bool:
        return self.method in ("search", "copra", "informal2formal")

    @property
    def id(self) -> str:
        return config_id(self.as_dict())


def default_portfolio(system: str) -> tuple[str, ...]:
    from prover.systems import backend_module

    return tuple(getattr(backend_module(system), "default_portfolio", lambda: ())())


def error_record(
    theorem: Theorem, config: EvalConfig, reason: str, seconds: float = 0.0
) -> ResultRecord:
    """The results line for a theorem the prover could not finish (crash, bug, dead worker)."""
    return ResultRecord(
        name=theorem.name,
        system=theorem.system,
        split=theorem.split,
        status=Status.ERROR.value,
        reason=reason,
        wall_seconds=round(seconds, 3),
        method=config.method,
        model=config.model if config.uses_model else "",
        config=config.as_dict(),
        config_id=config.id,
    )


class Worker:
    """One env + one model; recreates the env after it fails beyond its own recovery."""

    def __init__(self, config: EvalConfig, threads: int | None = None):
        from prover.systems import create_env

        self.config = config
        self._create_env = lambda: create_env(config.system, **config.env_options)
        self.env: ProofEnv = self._create_env()
        self.generator = None
        if config.uses_model:
            if threads:
                import torch

                torch.set_num_threads(threads)
            from prover.models import load_generator

            self.generator = load_generator(
                config.model, runtime=config.runtime, **config.model_options
            )

    def prove(self, theorem: Theorem) -> ResultRecord:
        cfg = self.config
        t0 = time.perf_counter()
        try:
            record = self._prove(theorem)
        except ProofEnvError as e:
            record = self._error(theorem, f"{cfg.system} failed: {e}", t0)
            self._restart_env()
        except Exception as e:  # a bug or a backend surprise must not end the batch
            record = self._error(theorem, f"{type(e).__name__}: {e}", t0)
            record.extra["traceback"] = traceback.format_exc(limit=5)
            self._restart_env()
        return record

    def _prove(self, theorem: Theorem) -> ResultRecord:
        cfg = self.config
        if cfg.method in ("search", "portfolio"):
            generator = self.generator if cfg.method == "search" else None
            result = best_first_search(theorem, self.env, generator, cfg.search)
            return result.to_record(
                theorem, cfg.method, cfg.model if generator else "", cfg.as_dict()
            )
        if cfg.method == "copra":
            from prover.copra import CopraConfig, as_chat_model, copra_search

            copra = CopraConfig(
                max_queries=cfg.search.max_expansions,
                wall_seconds=cfg.search.wall_seconds,
                temperature=cfg.search.temperatures[0],
                max_tokens=cfg.search.max_tokens,
            )
            result = copra_search(theorem, self.env, as_chat_model(self.generator), copra)
            return result.to_record(theorem, cfg.method, cfg.model, cfg.as_dict())
        from prover.isabelle import dsp

        if cfg.method == "informal2formal":
            record = dsp.prove_informal(
                theorem,
                self.env,
                self.generator,
                attempts=cfg.search.attempts,
                samples=cfg.search.samples,
                wall_seconds=cfg.search.wall_seconds,
            )
        elif cfg.method == "sledgehammer":
            record = dsp.sledgehammer_only(theorem, self.env, wall_seconds=cfg.search.wall_seconds)
        else:
            raise ValueError(f"unknown method {cfg.method!r}; choose one of {', '.join(METHODS)}")
        record.config, record.config_id = cfg.as_dict(), cfg.id
        record.model = cfg.model if cfg.uses_model else ""
        return record

    def _error(self, theorem: Theorem, reason: str, t0: float) -> ResultRecord:
        return error_record(theorem, self.config, reason, time.perf_counter() - t0)

    def _restart_env(self) -> None:
        with contextlib.suppress(Exception):
            self.env.close()
        self.env = self._create_env()

    def close(self) -> None:
        self.env.close()


# --- process pool plumbing: one Worker per process, built once by the initializer -------
_WORKER: Worker | None = None


def _init_worker(config: EvalConfig, threads: int) -> None:
    global _WORKER
    import signal

    # Ctrl-C goes to the parent, which shuts the pool down; workers ignore it so that a
    # proof in flight is not reported as a bogus error while the parent is still writing.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER = Worker(config, threads=threads)


def _prove_in_worker(theorem: Theorem) -> ResultRecord:
    assert _WORKER is not None
    return _WORKER.prove(theorem)


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


def run_eval(
    theorems: list[Theorem],
    config: EvalConfig,
    out: str | os.PathLike,
    workers: int = 1,
    on_result: Callable[[ResultRecord], None] | None = None,
    progress: bool = True,
    threads: int | None = None,
) -> EvalSummary:
    """`threads`: torch threads per worker (default: all cores for one worker, an equal share for a pool)."""
    out = Path(out)
    done = check_resumable(out, config)
    todo = [t for t in theorems if t.name not in done]
    writer = ResultsWriter(out)
    summary = EvalSummary(
        out=out, counts=Counter(), total=len(theorems), skipped=len(theorems) - len(todo)
    )
    t0 = time.perf_counter()

    def record(rec: ResultRecord) -> None:
        writer.append(rec)
        summary.counts[rec.status] += 1
        summary.records.append(rec)
        if on_result:
            on_result(rec)

    try:
        with _progress(progress, len(todo)) as advance:
            if workers <= 1 or len(todo) <= 1:
                worker = Worker(config, threads=threads)
                try:
                    for theorem in todo:
                        rec = worker.prove(theorem)
                        record(rec)
                        advance(rec)
                finally:
                    worker.close()
            else:
                _run_pool(todo, config, workers, record, advance, threads)
    except KeyboardInterrupt:
        summary.interrupted = True
    summary.wall_seconds = time.perf_counter() - t0
    return summary


def _run_pool(
    todo: list[Theorem], config: EvalConfig, workers: int, record, advance, threads: int | None
) -> None:
    threads = threads or max(1, (os.cpu_count() or 1) // workers)
    pool = cf.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=mp.get_context("spawn"),
        initializer=_init_worker,
        initargs=(config, threads),
    )
    try:
        futures = {pool.submit(_prove_in_worker, t): t for t in todo}
        for fut in cf.as_completed(futures):
            theorem = futures[fut]
            try:
                rec = fut.result()
            except Exception as e:  # the worker process died (OOM kill, segfault)
                rec = error_record(theorem, config, f"worker died: {type(e).__name__}: {e}")
            record(rec)
            advance(rec)
    except BaseException:
        for p in list(getattr(pool, "_processes", {}).values()):
            p.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


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


def summarize(records: Iterable[ResultRecord]) -> dict[str, Any]:
    """Counts and timing figures for the summary table and benchmarks."""
    recs = list(records)
    counts = Counter(r.status for r in recs)
    wall = sum(r.wall_seconds for r in recs)
    model = sum(r.model_seconds for r in recs)
    checker = sum(r.checker_seconds for r in recs)
    walls = sorted(r.wall_seconds for r in recs)
    return {
        "theorems": len(recs),
        "proved": counts.get(Status.PROVED.value, 0),
        "failed": counts.get(Status.FAILED.value, 0),
        "invalid_statement": counts.get(Status.INVALID_STATEMENT.value, 0),
        "error": counts.get(Status.ERROR.value, 0),
        "median_seconds": walls[len(walls) // 2] if walls else 0.0,
        "wall_seconds": wall,
        "model_seconds": model,
        "checker_seconds": checker,
        "overhead_share": (max(wall - model - checker, 0.0) / wall) if wall else 0.0,
    }
