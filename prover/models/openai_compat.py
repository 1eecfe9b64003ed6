"""Any OpenAI-compatible server as a Generator: vLLM's server, llama.cpp's server, hosted APIs.

Completions (`/v1/completions`) serve the search: n samples per prompt with per-token
log-probabilities (summed into the sample's score). Chat (`/v1/chat/completions`) serves
chat models such as the COPRA-style agent's. Connection errors, 429 and 5xx are retried
with exponential backoff; a client-side limit spaces requests; after the last retry the
call raises `ModelUnavailable`, which the search turns into an `error` verdict for that
theorem while the batch goes on.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import httpx

from prover.models.base import GeneratorStats, ModelUnavailable, Sample, SamplingParams, best_unique


class OpenAIGenerator:
    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 120.0,
        retries: int = 4,
        backoff: float = 1.0,
        max_requests_per_second: float | None = None,
        logprobs: bool = True,
    ):
        self.name = model
        self.base_url = (
            base_url or os.environ.get("OPENAI_BASE_URL") or "http://127.0.0.1:8000/v1"
        ).rstrip("/")
        key = api_key or os.environ.get("OPENAI_API_KEY")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.client = httpx.Client(timeout=timeout, headers=headers)
        self.retries, self.backoff, self.logprobs = retries, backoff, logprobs
        self._min_interval = 1.0 / max_requests_per_second if max_requests_per_second else 0.0
        self._last = 0.0
        self._lock = threading.Lock()
        self.stats = GeneratorStats()

    # --- the Generator seam --------------------------------------------------------------
    def generate(self, prompts: list[str], params: SamplingParams) -> list[list[Sample]]:
        out = []
        for prompt in prompts:
            body: dict[str, Any] = {
                "model": self.name,
                "prompt": prompt,
                "n": params.n,
                "max_tokens": params.max_tokens,
                "temperature": params.temperature,
                "top_p": params.top_p,
            }
            if params.stop:
                body["stop"] = list(params.stop)
            if params.seed is not None:
                body["seed"] = params.seed
            if self.logprobs:
                body["logprobs"] = 1
            data = self._post("/completions", body)
            out.append(
                best_unique(
                    [
                        self._sample(c.get("text", ""), c.get("logprobs"))
                        for c in data.get("choices", [])
                    ]
                )
            )
        self.stats.calls += 1
        return out

    def chat(self, messages: list[dict[str, str]], params: SamplingParams) -> list[Sample]:
        body: dict[str, Any] = {
            "model": self.name,
            "messages": messages,
            "n": params.n,
            "max_tokens": params.max_tokens,
            "temperature": params.temperature,
        }
        if params.stop:
            body["stop"] = list(params.stop)
        if self.logprobs:
            body["logprobs"] = True
        data = self._post("/chat/completions", body)
        samples = []
        for c in data.get("choices", []):
            lp = c.get("logprobs") or {}
            tokens = [t.get("logprob", 0.0) for t in (lp.get("content") or [])]
            text = (c.get("message") or {}).get("content") or ""
            samples.append(
                Sample(text, float(sum(tokens)), len(tokens) or max(len(text.split()), 1))
            )
        result = best_unique(samples)
        self.stats.calls += 1
        return result

    # --- plumbing ------------------------------------------------------------------------
    @staticmethod
    def _sample(text: str, logprobs: dict | None) -> Sample:
        tokens = (logprobs or {}).get("token_logprobs") or []
        values = [v for v in tokens if v is not None]
        return Sample(text, float(sum(values)), len(values) or max(len(text.split()), 1))

    def _throttle(self) -> None:
        if not self._min_interval:
            return
        with self._lock:
            wait = self._last + self._min_interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last = time.monotonic()

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        url = self.base_url + path
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            self._throttle()
            try:
                r = self.client.post(url, json=body)
            except httpx.HTTPError as e:
                last = f"{type(e).__name__}: {e}"
                continue
            if r.status_code == 429 or r.status_code >= 500:
                last = f"HTTP {r.status_code}: {r.text[:200]}"
                continue
            if r.status_code >= 400:
                raise ModelUnavailable(
                    f"{url} refused the request: HTTP {r.status_code}: {r.text[:300]}"
                )
            return r.json()
        raise ModelUnavailable(f"{url} unreachable after {self.retries + 1} tries ({last})")
