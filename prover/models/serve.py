"""The OpenAI-compatible routes of `prover serve`: one model shared by many workers.

Proof workers (local processes or Ray actors) share one model with ``--runtime openai
--base-url http://HOST:PORT/v1`` instead of loading a copy each. The subset the prover
uses: POST /v1/completions (n, temperature, top_p, max_tokens, stop, seed, logprobs),
POST /v1/chat/completions and GET /v1/models. Model calls go through the server's batching
queue; for GPU batching at scale use vLLM's own server, which speaks the same API. A
sample's log-probability is exact in total; it is reported spread evenly over its tokens.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from prover.models.base import Generator, Sample, SamplingParams, sampling_params


def _params(body: dict[str, Any]) -> SamplingParams:
    """The request's sampling; raises ValueError (answered 400) on a value no runtime honours."""
    stop = body.get("stop") or []
    return sampling_params(
        n=int(body.get("n", 1)),
        temperature=float(body.get("temperature", 1.0)),
        top_p=float(body.get("top_p", 1.0)),
        max_tokens=int(body.get("max_tokens", 16)),
        stop=tuple([stop] if isinstance(stop, str) else stop),
        seconds_left=None,
        seed=body.get("seed"),
        beams=True,  # an OpenAI client asking n > 1 at temperature 0 gets the n best beams
    )


async def _request(request: Request) -> tuple[dict[str, Any], SamplingParams] | JSONResponse:
    """A completion request's body and sampling, or the 400 answer an OpenAI server gives
    to a body that is not a JSON object or asks for a value no runtime honours."""
    try:
        body = await request.json()
    except ValueError:
        return _error(400, "body is not JSON")
    if not isinstance(body, dict):
        return _error(400, "body is not a JSON object")
    try:
        return body, _params(body)
    except (TypeError, ValueError) as e:
        return _error(400, str(e))


def _per_token(s: Sample) -> float:
    return s.logprob / max(s.num_tokens, 1)


def openai_router(generator: Generator, model_name: str) -> APIRouter:
    router = APIRouter()

    @router.get("/v1/models")
    async def models() -> dict:
        return {"object": "list", "data": [{"id": model_name, "object": "model"}]}

    async def completions(body: dict[str, Any], params: SamplingParams):
        prompt = body.get("prompt", "")
        samples = (await asyncio.to_thread(generator.generate, [prompt], params))[0]
        choices = [
            {
                "index": i,
                "text": s.text,
                "finish_reason": "stop",
                "logprobs": {"token_logprobs": [_per_token(s)] * s.num_tokens},
            }
            for i, s in enumerate(samples)
        ]
        return _envelope("cmpl", "text_completion", model_name, choices)

    async def chat(body: dict[str, Any], params: SamplingParams):
        own_chat = getattr(generator, "chat", None)  # the runtime renders its chat template
        tokenizer = getattr(generator, "tokenizer", None)
        if own_chat is not None:
            samples = await asyncio.to_thread(own_chat, body.get("messages", []), params)
        elif tokenizer is not None and hasattr(tokenizer, "apply_chat_template"):
            prompt = tokenizer.apply_chat_template(
                body.get("messages", []), tokenize=False, add_generation_prompt=True
            )
            samples = (await asyncio.to_thread(generator.generate, [prompt], params))[0]
        else:
            return _error(400, "this model has no chat template")
        choices = [
            {
                "index": i,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": s.text},
                "logprobs": {"content": [{"logprob": _per_token(s)}] * s.num_tokens},
            }
            for i, s in enumerate(samples)
        ]
        return _envelope("chat", "chat.completion", model_name, choices)

    _post(router, "/v1/completions", completions)
    _post(router, "/v1/chat/completions", chat)
    return router


def _post(router: APIRouter, path: str, answer: Callable[..., Awaitable[Any]]) -> None:
    """Route POST `path` to `answer(body, params)`, once the request is read: a body that is
    not a JSON object, or asks for a value no runtime honours, is answered 400 first."""

    @router.post(path, name=answer.__name__)
    async def route(request: Request):
        parsed = await _request(request)
        if isinstance(parsed, JSONResponse):
            return parsed
        return await answer(*parsed)


def _envelope(prefix: str, kind: str, model_name: str, choices: list[dict]) -> dict[str, Any]:
    return {
        "id": f"{prefix}-{uuid.uuid4().hex}",
        "object": kind,
        "created": int(time.time()),
        "model": model_name,
        "choices": choices,
    }


def _error(code: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"message": message}}, status_code=code)
