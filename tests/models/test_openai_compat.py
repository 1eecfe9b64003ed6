"""The OpenAI-compatible client against real server processes on loopback."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time

import httpx
import pytest

from prover.methods.copra import as_chat_model
from prover.models.base import ModelUnavailable, SamplingParams
from prover.models.openai_compat import OpenAIGenerator
from tests.prover_serve import prover_serve


@pytest.fixture(scope="module")
def server():
    """`prover serve` with the embedded model: a real HTTP server process on 127.0.0.1."""
    with prover_serve("--threads", "1") as url:
        yield url + "/v1"


def test_completions_with_logprobs_and_stop(server):
    gen = OpenAIGenerator("embedded", base_url=server)
    [samples] = gen.generate(
        ["Tactic for `n + 0 = n`:\nTactic:"], SamplingParams(n=2, max_tokens=8, stop=("\n",))
    )
    assert 1 <= len(samples) <= 2
    assert all("\n" not in s.text and s.logprob < 0 and s.num_tokens >= 1 for s in samples)
    assert gen.stats.calls == 1


def test_chat_for_the_copra_agent(server):
    gen = OpenAIGenerator("embedded", base_url=server)
    chat = as_chat_model(gen)
    [reply] = chat.chat(
        [{"role": "user", "content": "Say one Coq tactic."}], SamplingParams(n=1, max_tokens=8)
    )
    assert isinstance(reply.text, str) and reply.num_tokens >= 1


def test_unreachable_server_is_retried_then_model_unavailable():
    gen = OpenAIGenerator("m", base_url="http://127.0.0.1:9/v1", retries=2, backoff=0.05, timeout=2)
    t0 = time.perf_counter()
    with pytest.raises(ModelUnavailable, match="unreachable after 3 tries"):
        gen.generate(["x"], SamplingParams(n=1, max_tokens=4))
    assert 0.1 <= time.perf_counter() - t0 < 10  # it backed off (0.05 + 0.1 s), then gave up


def test_client_side_rate_limit(server):
    gen = OpenAIGenerator("embedded", base_url=server, max_requests_per_second=4)
    t0 = time.perf_counter()
    for _ in range(3):
        gen.generate(["a"], SamplingParams(n=1, max_tokens=1))
    assert time.perf_counter() - t0 >= 0.5  # three requests at most four a second


def test_search_errors_cleanly_when_the_model_is_down():
    from prover.assistants.base import Status
    from prover.assistants.coq import create_env
    from prover.methods import Budget
    from prover.methods.search import best_first_search
    from prover.theorem import Theorem

    env = create_env()
    try:
        gen = OpenAIGenerator(
            "m", base_url="http://127.0.0.1:9/v1", retries=1, backoff=0.01, timeout=1
        )
        t = Theorem(
            "t", "coq", "Theorem t : forall n : nat, n = n + 0 -> True.", "Require Import Arith."
        )
        r = best_first_search(t, env, gen, Budget(samples=2, expansions=2))
        assert r.status is Status.ERROR and r.reason.startswith("model unavailable")
    finally:
        env.close()


@pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None,
    reason="llama-cpp-python is not installed (it builds from source; pip install 'llama-cpp-python[server]')",
)
def test_llama_cpp_server_with_the_embedded_gguf():
    from prover.models.embedded import gguf_path

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(gguf_path("smollm2")),
            "--port",
            "18431",
            "--host",
            "127.0.0.1",
            "--n_ctx",
            "1024",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        gen = OpenAIGenerator(
            "smollm2", base_url="http://127.0.0.1:18431/v1", retries=8, backoff=0.5
        )
        [samples] = gen.generate(
            ["The capital of France is"], SamplingParams(n=1, max_tokens=4, stop=("\n",))
        )
        assert samples and samples[0].num_tokens >= 1
    finally:
        proc.terminate()


def test_copilot_routes_on_the_same_server(server):
    """The embedded model's candidates for a real goal, each run in a real coqtop."""
    base = server.removesuffix("/v1")
    assert httpx.get(base + "/health", timeout=10).json()["status"] == "ok"
    text = "Require Import Arith.\nTheorem t : forall m : nat, m + 0 = m.\nProof.\n"
    body = {"text": text, "k": 2, "max_tokens": 8, "include_failed": True, "timeout": 120}
    body["sources"] = ["model"]  # the model's k candidates alone (no automation, templates)
    answer = httpx.post(base + "/suggest", json=body, timeout=130).json()
    assert answer["ok"] and answer["goals"] == [
        "============================\nforall m : nat, m + 0 = m"
    ]
    assert 1 <= len(answer["suggestions"]) <= 2
    for s in answer["suggestions"]:
        assert s["status"] in ("proof complete", "open", "failed")
        assert ("error" in s) == (s["status"] == "failed")
