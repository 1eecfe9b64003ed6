"""`prover serve`: the copilot's HTTP server (FastAPI on uvicorn).

Routes: POST /suggest and POST /prove (the copilot, JSON), GET /health, and the
OpenAI-compatible /v1 routes (prover.models.serve). The copilot's requests and answers are
the models of prover.copilot.protocol: a malformed request is refused (422, the field
named) before any work, and /openapi.json publishes the schema. Each copilot request runs in a worker
thread with its own clock: past its timeout it is cancelled (504) and the server goes on
serving others; a client that goes away cancels its request at the next step. Bound to
anything but loopback, every route except /health needs ``Authorization: Bearer TOKEN``,
and the server refuses to start without a token.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import socket
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from prover.assistants.base import ProofEnvError
from prover.copilot.protocol import (
    ErrorAnswer,
    HealthAnswer,
    ProveAnswer,
    ProveRequest,
    SuggestAnswer,
    SuggestRequest,
    problems,
)
from prover.copilot.protocol import Request as CopilotRequest
from prover.copilot.session import Cancelled, Deadline
from prover.copilot.suggest import Copilot, RequestError
from prover.models.base import ModelUnavailable
from prover.models.serve import openai_router

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorAnswer, "description": why}
    for code, why in [
        (400, "the request cannot be answered as asked (or its body is not JSON)"),
        (422, "a malformed request: error.message names the fields"),
        (499, "the client went away; the request was cancelled"),
        (503, "the model is unavailable"),
        (504, "the request ran past its timeout and was cancelled"),
        (500, "the proof assistant failed"),
    ]
}
R = TypeVar("R", bound=CopilotRequest)
A = TypeVar("A", bound=BaseModel)


class InsecureBind(ValueError):
    """A non-loopback address without a token: anyone on the network could run tactics."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_token_for(host: str, token: str | None) -> None:
    if not is_loopback(host) and not token:
        raise InsecureBind(
            f"refusing to listen on {host} without a token: pass --token (or set "
            "PROVER_TOKEN), or bind to 127.0.0.1"
        )


class BearerToken:
    """Every route but /health needs `Authorization: Bearer TOKEN`. A plain ASGI middleware:
    Starlette's `BaseHTTPMiddleware` would hide a client's disconnect from the routes."""

    def __init__(self, app, token: str):
        self.app, self.expected = app, f"Bearer {token}".encode()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"] != "/health":
            sent = dict(scope["headers"]).get(b"authorization", b"")
            if not hmac.compare_digest(sent, self.expected):
                denied = {"ok": False, "error": {"message": "missing or wrong bearer token"}}
                await JSONResponse(denied, status_code=401)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(copilot: Copilot, model_name: str, token: str | None = None) -> FastAPI:
    app = FastAPI(title="prover copilot", docs_url=None, redoc_url=None)
    if token:
        app.add_middleware(BearerToken, token=token)
    app.add_exception_handler(RequestValidationError, _invalid)

    @app.get("/health", response_model=HealthAnswer)
    async def health() -> HealthAnswer:
        stats = getattr(copilot.generator, "stats", None)
        return HealthAnswer(
            model=model_name,
            sessions=len(copilot.sessions),
            requests=dict(copilot.stats),
            model_calls=getattr(stats, "calls", None),
        )

    # strict_content_type=False: a body without a Content-Type is read as JSON, as before.
    copilot_routes = APIRouter(strict_content_type=False, responses=_ERRORS)

    @copilot_routes.post("/suggest", response_model=SuggestAnswer)
    async def suggest(body: SuggestRequest, request: Request):
        """Checked next-tactic suggestions at the cursor, best first."""
        return await _answer(request, body, copilot.suggest, copilot.stats)

    @copilot_routes.post("/prove", response_model=ProveAnswer)
    async def prove(body: ProveRequest, request: Request):
        """A proof from the cursor, re-checked with the rest of the proof."""
        return await _answer(request, body, copilot.prove, copilot.stats)

    app.include_router(copilot_routes)
    app.include_router(openai_router(copilot.generator, model_name))
    return app


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    """A request the protocol's models refuse: 422 with each bad field named (in `error`'s
    message, which the clients show, and in FastAPI's usual `detail`); 400 for a body that
    is not JSON at all."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return _error(400, "body is not JSON")
    whole = [e for e in errors if tuple(e.get("loc", ())) == ("body",)]
    if whole and whole[0].get("type") == "model_attributes_type":
        if isinstance(whole[0].get("input"), bytes | str):  # sent as another content type
            return _error(400, "body is not JSON (send it as application/json)")
        return _error(400, "body is not a JSON object")
    detail = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in errors
    ]
    body = {"ok": False, "error": {"message": problems(errors)}, "detail": detail}
    return JSONResponse(body, status_code=422)


async def _answer(
    request: Request, body: R, work: Callable[[R, Deadline], A], stats: dict[str, int]
) -> A | JSONResponse:
    timeout = body.timeout
    deadline = Deadline(timeout)
    task = asyncio.ensure_future(asyncio.to_thread(work, body, deadline))
    while True:
        done, _ = await asyncio.wait({task}, timeout=0.2)
        if done:
            break
        if deadline.left() <= 0:
            deadline.cancel.set()
            task.add_done_callback(_discard)
            stats["timed_out"] = stats.get("timed_out", 0) + 1
            return _error(504, f"request timed out after {timeout:g} s and was cancelled")
        if await request.is_disconnected():
            deadline.cancel.set()
            task.add_done_callback(_discard)
            stats["client_gone"] = stats.get("client_gone", 0) + 1
            return _error(499, "client went away; request cancelled")
    try:
        return task.result()
    except RequestError as e:
        return _error(400, str(e))
    except Cancelled as e:
        return _error(504, str(e))
    except ModelUnavailable as e:
        return _error(503, f"model unavailable: {e}")
    except ProofEnvError as e:
        return _error(500, f"proof assistant failed: {e}")


def _discard(task: asyncio.Future) -> None:
    """An abandoned request's worker ends (usually with `Cancelled`) after its answer was sent."""
    if not task.cancelled():
        task.exception()


def _error(code: int, message: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": {"message": message}}, status_code=code)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (port 0 picks a free one), so the URL can be printed before serving."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def run(app: FastAPI, sock: socket.socket) -> None:
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=2)
    uvicorn.Server(config).run(sockets=[sock])
