"""`prover serve`: the copilot's HTTP server (FastAPI on uvicorn).

Routes: POST /suggest and POST /prove (the copilot, JSON), GET /health, and the
OpenAI-compatible /v1 routes (prover.models.serve). Each copilot request runs in a worker
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
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from prover.assistants.base import ProofEnvError
from prover.copilot.session import Cancelled, Deadline
from prover.copilot.suggest import Copilot, RequestError
from prover.models.base import ModelUnavailable
from prover.models.serve import openai_router

DEFAULT_TIMEOUT = 60.0
MAX_TIMEOUT = 3600.0


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

    @app.get("/health")
    async def health() -> dict[str, Any]:
        stats = getattr(copilot.generator, "stats", None)
        return {
            "status": "ok",
            "model": model_name,
            "sessions": len(copilot.sessions),
            "requests": dict(copilot.stats),
            "model_calls": getattr(stats, "calls", None),
        }

    @app.post("/suggest")
    async def suggest(request: Request):
        return await _answer(request, copilot.suggest, copilot.stats)

    @app.post("/prove")
    async def prove(request: Request):
        return await _answer(request, copilot.prove, copilot.stats)

    app.include_router(openai_router(copilot.generator, model_name))
    return app


async def _answer(
    request: Request, work: Callable[[dict, Deadline], dict], stats: dict[str, int]
) -> JSONResponse:
    try:
        body = await request.json()
    except ValueError:
        return _error(400, "body is not JSON")
    if not isinstance(body, dict):
        return _error(400, "body is not a JSON object")
    try:
        timeout = float(body.get("timeout", DEFAULT_TIMEOUT))
    except (TypeError, ValueError):
        return _error(400, "'timeout' must be a number of seconds")
    if not 0 < timeout <= MAX_TIMEOUT:
        return _error(400, f"'timeout' must be in (0, {MAX_TIMEOUT:g}] seconds")
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
        return JSONResponse(task.result())
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
