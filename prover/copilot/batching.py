"""A batching queue in front of a Generator: concurrent requests share one model call.

Several editors asking at once would otherwise queue behind each other for whole model
calls. Requests that arrive within `window` seconds of each other with the same sampling
parameters are joined into one `generate` call (one batch of prompts); the rest wait for
the next round. It is itself a Generator, so the copilot's search uses it too.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, replace

from prover.models.base import Generator, Sample, SamplingParams


@dataclass
class _Request:
    prompts: list[str]
    params: SamplingParams
    future: Future


@dataclass
class BatchStats:
    calls: int = 0  # model calls made
    requests: int = 0  # generate() calls answered
    max_batch: int = 0  # most requests joined into one call


class BatchingGenerator:
    def __init__(self, inner: Generator, window: float = 0.02, max_prompts: int = 16):
        self.inner, self.window, self.max_prompts = inner, window, max_prompts
        self.stats = BatchStats()
        self._queue: queue.Queue[_Request | None] = queue.Queue()
        self._held: list[_Request] = []  # taken from the queue but for a later round
        self._thread = threading.Thread(target=self._serve, name="model-batcher", daemon=True)
        self._thread.start()

    @property
    def tokenizer(self):  # the OpenAI chat route needs the chat template
        return getattr(self.inner, "tokenizer", None)

    @property
    def chat(self):  # the runtime's own chat template (prover.models.chat), when it has one
        return getattr(self.inner, "chat", None)

    def generate(self, prompts: list[str], params: SamplingParams) -> list[list[Sample]]:
        future: Future = Future()
        self._queue.put(_Request(list(prompts), params, future))
        return future.result()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        while True:
            first = self._held.pop(0) if self._held else self._queue.get()
            if first is None:
                return
            batch = [first]
            key = _key(first.params)
            size = len(first.prompts)
            try:
                while size < self.max_prompts:
                    nxt = self._queue.get(timeout=self.window)
                    if nxt is None:
                        self._queue.put(None)
                        break
                    if _key(nxt.params) == key and size + len(nxt.prompts) <= self.max_prompts:
                        batch.append(nxt)
                        size += len(nxt.prompts)
                    else:
                        self._held.append(nxt)
            except queue.Empty:
                pass
            self._run(batch)

    def _run(self, batch: list[_Request]) -> None:
        prompts = [p for r in batch for p in r.prompts]
        limits = [r.params.max_seconds for r in batch if r.params.max_seconds is not None]
        params = replace(batch[0].params, max_seconds=min(limits) if limits else None)
        self.stats.calls += 1
        self.stats.requests += len(batch)
        self.stats.max_batch = max(self.stats.max_batch, len(batch))
        try:
            out = self.inner.generate(prompts, params)
        except BaseException as e:  # every waiting request gets the model's error
            for r in batch:
                r.future.set_exception(e)
            return
        i = 0
        for r in batch:
            r.future.set_result(out[i : i + len(r.prompts)])
            i += len(r.prompts)


def _key(params: SamplingParams) -> SamplingParams:
    return replace(params, max_seconds=None)
