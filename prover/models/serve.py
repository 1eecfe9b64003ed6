"""`prover serve`: one model process behind a minimal OpenAI-compatible HTTP API.

Many proof workers (local processes or Ray actors) can then share one model with
``--runtime openai --base-url http://HOST:PORT/v1`` instead of loading a copy each. It
implements the subset the prover uses: POST /v1/completions (n, temperature, top_p,
max_tokens, stop, seed, logprobs) and POST /v1/chat/completions, plus GET /v1/models.
Requests are served one at a time (the model is the bottleneck); for GPU batching at
scale use vLLM's own server, which speaks the same API. A sample's log-probability is
exact in total; it is reported as that total spread evenly over its tokens.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prover.generator import Generator, SamplingParams


def make_server(
    generator: Generator, model_name: str, host: str = "127.0.0.1", port: int = 8000
) -> ThreadingHTTPServer:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep the console for the caller
            pass

        def _send(self, code: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/v1/models":
                self._send(200, {"object": "list", "data": [{"id": model_name, "object": "model"}]})
            else:
                self._send(404, {"error": {"message": f"no route {self.path}"}})

        def do_POST(self) -> None:
            try:
                body = json.loads(
                    self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}"
                )
            except json.JSONDecodeError:
                self._send(400, {"error": {"message": "body is not JSON"}})
                return
            stop = body.get("stop") or []
            params = SamplingParams(
                n=int(body.get("n", 1)),
                temperature=float(body.get("temperature", 1.0)),
                top_p=float(body.get("top_p", 1.0)),
                max_tokens=int(body.get("max_tokens", 16)),
                stop=tuple([stop] if isinstance(stop, str) else stop),
                seed=body.get("seed"),
            )
            if self.path.rstrip("/") == "/v1/completions":
                prompt = body.get("prompt", "")
                with lock:
                    samples = generator.generate([prompt], params)[0]
                choices = [
                    {
                        "index": i,
                        "text": s.text,
                        "finish_reason": "stop",
                        "logprobs": {
                            "token_logprobs": [s.logprob / max(s.num_tokens, 1)] * s.num_tokens
                        },
                    }
                    for i, s in enumerate(samples)
                ]
                self._send(
                    200,
                    {
                        "id": f"cmpl-{uuid.uuid4().hex}",
                        "object": "text_completion",
                        "created": int(time.time()),
                        "model": model_name,
                        "choices": choices,
                    },
                )
            elif self.path.rstrip("/") == "/v1/chat/completions":
                chat = getattr(generator, "chat", None)  # the model's own chat template
                if chat is None:
                    self._send(400, {"error": {"message": "this model has no chat template"}})
                    return
                with lock:
                    samples = chat(body.get("messages", []), params)
                choices = [
                    {
                        "index": i,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": s.text},
                        "logprobs": {
                            "content": [{"logprob": s.logprob / max(s.num_tokens, 1)}]
                            * s.num_tokens
                        },
                    }
                    for i, s in enumerate(samples)
                ]
                self._send(
                    200,
                    {
                        "id": f"chat-{uuid.uuid4().hex}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": model_name,
                        "choices": choices,
                    },
                )
            else:
                self._send(404, {"error": {"message": f"no route {self.path}"}})

    return ThreadingHTTPServer((host, port), Handler)
