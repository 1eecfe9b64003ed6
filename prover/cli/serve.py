"""The copilot's commands: `prover serve`, `prover suggest` and `prover copilot-path`."""

from __future__ import annotations

from typing import Annotated

import typer

from prover.cli.options import ModelOpt, fail
from prover.models.registry import DEFAULT as DEFAULT_MODEL


def serve(
    model: ModelOpt = DEFAULT_MODEL,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port (0 picks a free one)")] = 8000,
    threads: Annotated[int | None, typer.Option(help="torch CPU threads")] = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="PROVER_TOKEN",
            help="bearer token clients must send (required unless bound to loopback)",
        ),
    ] = None,
    sessions: Annotated[int, typer.Option(help="warm Coq sessions kept (one per file header)")] = 3,
    tactic_timeout: Annotated[float, typer.Option(help="seconds per proof-assistant call")] = 5.0,
) -> None:
    """Serve one model: the editor copilot (/suggest, /prove, /health) and an OpenAI-compatible API."""
    from prover.copilot import build_copilot
    from prover.copilot.server import InsecureBind, bind, create_app, require_token_for
    from prover.models import load_generator
    from prover.models.base import ModelUnavailable

    try:
        require_token_for(host, token)
    except InsecureBind as e:
        raise fail(str(e)) from None
    if sessions < 1:
        raise fail("--sessions must be at least 1")
    try:
        generator = load_generator(model, lazy=False, threads=threads)
    except ModelUnavailable as e:
        raise fail(str(e)) from None
    try:
        sock = bind(host, port)
    except OSError as e:
        raise fail(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    copilot = build_copilot(generator, sessions=sessions, tactic_timeout=tactic_timeout)
    shown = f"[{host}]" if ":" in host else host
    print(f"serving {model} at http://{shown}:{sock.getsockname()[1]}/v1", flush=True)
    from prover.copilot.server import run

    try:
        run(create_app(copilot, model, token), sock)
    finally:
        copilot.sessions.close()


def suggest(
    target: Annotated[
        str,
        typer.Argument(
            help="FILE.v[:LINE]: the cursor at the end of LINE (default: before the first admit/Admitted)"
        ),
    ],
    k: Annotated[int, typer.Option(help="candidates asked of the model")] = 8,
    max_tokens: Annotated[int, typer.Option(help="max new tokens per completion")] = 48,
    include_failed: Annotated[
        bool, typer.Option(help="also list the candidates Coq rejected")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="print the answer as JSON")] = False,
    server: Annotated[
        str | None, typer.Option(help="ask a running `prover serve` at this URL instead")
    ] = None,
    token: Annotated[
        str | None, typer.Option(envvar="PROVER_TOKEN", help="the server's bearer token")
    ] = None,
    model: ModelOpt = DEFAULT_MODEL,
    timeout: Annotated[float, typer.Option(help="seconds for the whole answer")] = 60.0,
    source: Annotated[
        list[str] | None,
        typer.Option(
            help="only these candidate sources (repeat): model, knn, template, automation",
            show_default="all",
        ),
    ] = None,
) -> None:
    """Checked next-tactic suggestions at a point of a Coq file (exit 0 answered, 1 the file
    does not check there or nothing was suggested, 2 bad input)."""
    from prover.copilot.cli import ask, cursor_text, print_answer

    try:
        text = cursor_text(target)
    except ValueError as e:
        raise fail(str(e)) from None
    body = {
        "system": "coq",
        "text": text,
        "k": k,
        "max_tokens": max_tokens,
        "include_failed": include_failed,
        "timeout": timeout,
    }
    if source:
        body["sources"] = source
    try:
        answer = ask(body, server=server, token=token, model=model)
    except (RuntimeError, ValueError) as e:
        raise fail(str(e)) from None
    print_answer(answer, target.rsplit(":", 1)[0] if ":" in target else target, json_out)
    raise typer.Exit(0 if answer.get("ok") and answer.get("suggestions") else 1)


def copilot_path(
    editor: Annotated[str, typer.Argument(help="emacs (the Proof General package)")] = "emacs",
) -> None:
    """Print where the copilot's editor package is installed (for load-path / require)."""
    from prover.copilot import EMACS_PACKAGE

    if editor != "emacs":
        raise fail(
            f"unknown editor {editor!r}; Lean's tactics are in the lean/ project (ProverCopilot)"
        )
    print(EMACS_PACKAGE)
