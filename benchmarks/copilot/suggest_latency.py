"""Copilot suggestion latency and throughput, through the real HTTP server and real Coq.

Each request is the text of a miniF2F-rocq valid theorem up to its first goal (header,
statement, `Proof.`); the server asks the model for K candidates and runs each in a warm
coqtop, so the time includes checking. Prints p50/p95 latency over --goals requests (one
client), then the throughput of --throughput-goals requests from 1 client vs 4 concurrent
clients (which the batching queue joins into shared model calls). Asserts nothing.

    .venv/bin/python benchmarks/copilot/suggest_latency.py --goals 50 --k 8
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from prover.copilot import build_copilot
from prover.copilot.server import bind, create_app
from prover.datasets import load_benchmark
from prover.models import load_generator


def request_text(theorem) -> str:
    return f"{theorem.header}\n\n{theorem.statement}\nProof.\n"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(round(q * (len(ordered) - 1))), len(ordered) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", default="embedded")
    ap.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    ap.add_argument("--goals", type=int, default=50)
    ap.add_argument("--throughput-goals", type=int, default=8)
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--max-tokens", type=int, default=48)
    ap.add_argument("--data-dir", default=None)
    args = ap.parse_args()

    import uvicorn

    theorems = load_benchmark("minif2f-rocq", "valid", args.data_dir)
    copilot = build_copilot(load_generator(args.model, lazy=False, threads=args.threads))
    sock = bind("127.0.0.1", 0)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(create_app(copilot, args.model), log_level="warning"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.05)

    def ask(theorem) -> tuple[float, dict]:
        body = {"text": request_text(theorem), "k": args.k, "max_tokens": args.max_tokens}
        t0 = time.perf_counter()
        answer = httpx.post(url + "/suggest", json={**body, "timeout": 600}, timeout=620).json()
        return time.perf_counter() - t0, answer

    warm, _ = ask(theorems[0])  # warm-up: loads the header into a coqtop, first model call
    print(f"warm-up request (header load + first model call): {warm:.1f} s", flush=True)
    latencies, checked, complete, errors = [], 0, 0, 0
    for t in theorems[: args.goals]:
        seconds, answer = ask(t)
        latencies.append(seconds)
        print(f"  {t.name}: {seconds:.1f} s", flush=True)
        if not answer.get("ok"):
            errors += 1
            continue
        checked += len(answer["suggestions"])
        complete += sum(s["status"] == "proof complete" for s in answer["suggestions"])
    print(f"model {args.model}, {args.threads} threads, k={args.k}, max_tokens={args.max_tokens}")
    print(
        f"latency over {len(latencies)} goals: p50 {percentile(latencies, 0.5):.2f} s, "
        f"p95 {percentile(latencies, 0.95):.2f} s, mean {statistics.mean(latencies):.2f} s; "
        f"{checked} suggestions accepted by Coq ({complete} closing the goal), {errors} errors"
    )

    batch = theorems[args.goals : args.goals + args.throughput_goals] or theorems[: args.goals]
    rates = {}
    for clients in (1, 4):
        calls0 = copilot.generator.stats.calls
        t0 = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(ask, batch))
        wall = time.perf_counter() - t0
        rates[clients] = len(batch) / wall
        print(
            f"{clients} client(s): {len(batch)} requests in {wall:.1f} s = "
            f"{60 * rates[clients]:.1f} requests/min, "
            f"{copilot.generator.stats.calls - calls0} model calls"
        )
    print(f"throughput 4 clients vs 1: {rates[4] / rates[1]:.2f}x")
    server.should_exit = True
    copilot.sessions.close()


if __name__ == "__main__":
    main()
