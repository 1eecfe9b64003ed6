"""Where a batch's theorems are proved: `InProcess` (one worker here) or `ProcessPool`
(worker processes that die with the process that started them). The Ray executor is
`prover.batch.ray.RayExecutor`; all of them run under `prover.batch.runner.run_batch`."""

from __future__ import annotations

import concurrent.futures as cf
import ctypes
import multiprocessing as mp
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from prover.batch.config import EvalConfig
from prover.batch.worker import Worker, error_record
from prover.results import ResultRecord
from prover.theorem import Theorem

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
        with Worker(config, threads=self.threads) as worker:
            for theorem in todo:
                emit(worker.prove(theorem))


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
