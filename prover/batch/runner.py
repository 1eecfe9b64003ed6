"""Batch evaluation: prove a list of theorems, one results line each, resumable, Ctrl-C safe.

One runner (`run_batch`) owns what every way of running shares: resume (skip names already
in the results file, refuse a file of another configuration), the durable results writer,
progress and the summary. Where the theorems are proved is an executor's business:
`InProcess` (one worker here), `ProcessPool` (worker processes, which die with the process
that started them) or `prover.batch.ray.RayExecutor` (Ray actors). A `Worker` owns one
proof-assistant env and one model and proves with any method of `prover.methods`.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import ctypes
import multiprocessing as mp
import os
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from prover.assistants.base import Status
from prover.assistants.registry import AssistantConfig, backend
from prover.candidates import CandidateSources, KnnPredictor
from prover.methods import Budget, ProofResult, canonical, method, prove
from prover.results import ResultRecord, ResultsWriter, config_id, read_results
from prover.theorem import Theorem

METHODS = ("search", "portfolio", "whole", "sketch", "copra", "sledgehammer")
RETRIEVAL_METHODS = ("search",)  # methods whose prompts take retrieved examples and lemmas


class ConfigMismatch(Exception):
    """The results file was written by a run with other settings."""


@dataclass(frozen=True)
class EvalConfig:
    """Everything that decides what a run can prove (its digest tags every results line).

    Only the budget fields the method reads enter the digest, so an option a method does
    not use can never make two equal runs look different."""

    system: str
    method: str = "search"
    budget: Budget = field(default_factory=Budget)
    portfolio: bool = True  # methods with the `portfolio` option: try the automation on every state
    templates: bool = True  # methods with the `templates` option: prover.candidates templates
    model: str = "embedded"
    runtime: str = "auto"  # CTranslate2 for causal models, transformers for seq2seq
    model_options: dict[str, Any] = field(default_factory=dict)
    assistant: AssistantConfig | None = None  # CoqConfig / LeanConfig / IsabelleConfig
    # Coq search: similar library states and lemmas from the proof corpus in every prompt.
    # Off by default: with the embedded 0.5B model it made each call about 2.5x slower and
    # Coq accepted no more of its tactics (benchmarks/corpus/README.md); on for a model
    # trained to read it.
    retrieval: bool = False
    # Search: the corpus's nearest-neighbour tactics (Retriever.tactics) among the candidates.
    # Off by default until an ablation shows it pays (Coq accepted 33% of its top-8 on 28
    # valid root goals, and every goal they closed was closed by `reflexivity.`).
    knn: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", canonical(self.method))

    @property
    def uses_model(self) -> bool:
        return method(self.method).uses_model

    @property
    def retrieval_applies(self) -> bool:
        """Whether the `retrieval` switch means anything here (the Coq search's prompts)."""
        return self.system == "coq" and method(self.method).name in RETRIEVAL_METHODS

    @property
    def uses_retrieval(self) -> bool:
        return self.retrieval and self.retrieval_applies

    @property
    def uses_knn(self) -> bool:
        """kNN candidates: Coq, a method with candidate sources, and the switch on."""
        return self.knn and self.system == "coq" and "templates" in method(self.method).options

    @property
    def needs_corpus(self) -> bool:
        return self.uses_retrieval or self.uses_knn

    @property
    def portfolio_tactics(self) -> tuple[str, ...]:
        m = method(self.method)
        if m.name == "portfolio" or ("portfolio" in m.options and self.portfolio):
            return backend(self.system).portfolio(self.assistant)
        return ()

    def as_dict(self) -> dict[str, Any]:
        m = method(self.method)
        assistant = self.assistant or backend(self.system).config_type()
        d: dict[str, Any] = {
            "system": self.system,
            "method": m.name,
            "budget": self.budget.only(m.reads),
            "assistant": asdict(assistant),
        }
        if "portfolio" in m.options:
            d["portfolio"] = self.portfolio
        if self.retrieval_applies:
            d["retrieval"] = self.retrieval
        if "templates" in m.options:
            d["candidates"] = {"templates": self.templates, "knn": self.knn}
        if m.uses_model:
            d |= {"model": self.model, "runtime": self.runtime, "model_options": self.model_options}
        return d

    def candidate_sources(self, knn: KnnPredictor | None = None) -> CandidateSources | None:
        """The candidate sources of methods with the `templates` option (None for others).
        `knn`: a kNN predictor (`Retriever.tactics`) where one is loaded."""
        if "templates" not in method(self.method).options:
            return None
        return CandidateSources(templates=self.templates, knn=knn)

    @property
    def id(self) -> str:
        return config_id(self.as_dict())


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
    """One env + one model; recreates the env after it fails beyond its own recovery."""

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
                config.model, runtime=config.runtime, threads=threads, **config.model_options
            )
        self.retriever = None
        if config.needs_corpus:
            from prover.retrieval import Retriever

            retriever = Retriever.load()  # CorpusMissing says how to build it
            self.retriever = retriever if config.uses_retrieval else None
            self.knn = retriever.tactics if config.uses_knn else None

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
            if result.status is Status.ERROR:
                self._restart_env()
            return result
        except Exception as e:  # a bug or a backend surprise must not end the batch
            result = ProofResult(Status.ERROR, reason=f"{type(e).__name__}: {e}")
            result.extra["traceback"] = traceback.format_exc(limit=5)
        result.wall_seconds = time.monotonic() - t0
        self._restart_env()
        return result

    def prove(self, theorem: Theorem) -> ResultRecord:
        cfg = self.config
        result = self.result(theorem)
        result.extra["worker_max_rss_mb"] = _max_rss_mb()
        return result.to_record(
            theorem, cfg.method, cfg.model if cfg.uses_model else "", cfg.as_dict()
        )

    def _restart_env(self) -> None:
        with contextlib.suppress(Exception):
            self.env.close()
        self.env = self._create_env()

    def close(self) -> None:
        self.env.close()


# --- executors: where theorems are proved ------------------------------------------------
Emit = Callable[[ResultRecord], None]


class Executor(Protocol):
    def run(self, todo: list[Theorem], config: EvalConfig, emit: Emit) -> None:
        """Prove every theorem of `todo`, calling `emit` with each record as it finishes."""
        ...


@dataclass
class InProcess:
    """One worker in this process."""

    threads: int | None = None

    def run(self, todo: list[Theorem], config: EvalConfig, emit: Emit) -> None:
        worker = Worker(config, threads=self.threads)
        try:
            for theorem in todo:
                emit(worker.prove(theorem))
        finally:
            worker.close()


_PR_SET_PDEATHSIG = 1
_WORKER: Worker | None = None


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel kill this process when its parent dies (even by SIGKILL); if the parent
    is already gone (it died before this call), exit now. The worker's assistants get the same
    signal from their own parent (see prover.assistants.process.child_setup), so nothing is left behind."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:
        os._exit(1)


def _init_worker(config: EvalConfig, threads: int, parent_pid: int) -> None:
    global _WORKER
    die_with_parent(parent_pid)
    # Ctrl-C goes to the parent, which shuts the pool down; workers ignore it so that a
    # proof in flight is not reported as a bogus error while the parent is still writing.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER = Worker(config, threads=threads)


def _prove_in_worker(theorem: Theorem) -> ResultRecord:
    assert _WORKER is not None
    return _WORKER.prove(theorem)


@dataclass
class ProcessPool:
    """`workers` local processes, each with its own env and model."""

    workers: int
    threads: int | None = None

    def run(self, todo: list[Theorem], config: EvalConfig, emit: Emit) -> None:
        threads = self.threads or max(1, (os.cpu_count() or 1) // self.workers)
        pool = cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=mp.get_context("spawn"),
            initializer=_init_worker,
            initargs=(config, threads, os.getpid()),
        )
        try:
            futures = {pool.submit(_prove_in_worker, t): t for t in todo}
            for fut in cf.as_completed(futures):
                theorem = futures[fut]
                try:
                    rec = fut.result()
                except Exception as e:  # the worker process died (OOM kill, segfault)
                    rec = error_record(theorem, config, f"worker died: {type(e).__name__}: {e}")
                emit(rec)
        except BaseException:
            for p in list(getattr(pool, "_processes", {}).values()):
                p.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)


# --- the one runner ---------------------------------------------------------------------
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
        "proved": sum(
            counts.get(s.value, 0)
            for s in (Status.PROVED, Status.NATIVE_DECIDE, Status.CODE_ORACLE)
        ),
        "failed": counts.get(Status.FAILED.value, 0),
        "invalid_statement": counts.get(Status.INVALID_STATEMENT.value, 0),
        "error": counts.get(Status.ERROR.value, 0),
        "median_seconds": walls[len(walls) // 2] if walls else 0.0,
        "wall_seconds": wall,
        "model_seconds": model,
        "checker_seconds": checker,
        "model_calls": sum(r.model_calls for r in recs),
        "overhead_share": (max(wall - model - checker, 0.0) / wall) if wall else 0.0,
    }
