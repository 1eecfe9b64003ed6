"""`prover suggest FILE[:LINE]`: the server's /suggest answer on the command line.

In process (loads the model and a coqtop, then exits) or against a running server
(`--server URL`), so any editor or terminal gets the same checked suggestions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from prover.copilot.protocol import ErrorInfo, SuggestAnswer, SuggestRequest, problems

_HOLE = re.compile(r"(?<![\w'.])(admit\.|Admitted\.)")


def cursor_text(target: str) -> str:
    """The file's text up to the cursor: the end of LINE, or before the first admit/Admitted."""
    path_text, _, line = target.rpartition(":")
    if not path_text or not line.isdigit():
        path_text, line = target, ""
    path = Path(path_text)
    if not path.is_file():
        raise ValueError(f"file {path} not found")
    text = path.read_text(encoding="utf-8")
    if line:
        lines = text.splitlines(keepends=True)
        n = int(line)
        if not 1 <= n <= len(lines):
            raise ValueError(f"{path} has {len(lines)} lines; line {n} is outside it")
        return "".join(lines[:n])
    m = _HOLE.search(text)
    if m is None:
        raise ValueError(f"{path}: no admit/Admitted to suggest for; give FILE:LINE")
    return text[: m.start()]


def suggest_request(body: SuggestRequest | dict[str, Any]) -> SuggestRequest:
    """The typed request (the one the server validates); `ValueError` naming a bad field."""
    if isinstance(body, SuggestRequest):
        return body
    try:
        return SuggestRequest.model_validate(body)
    except ValidationError as e:
        raise ValueError(f"bad request: {problems(e.errors())}") from None


def ask(
    body: SuggestRequest | dict[str, Any], server: str | None, token: str | None, model: str
) -> dict[str, Any]:
    """The /suggest answer (its JSON), from a server or computed here."""
    request = suggest_request(body)
    if server:
        import httpx

        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            r = httpx.post(
                server.rstrip("/") + "/suggest",
                json=request.model_dump(mode="json", exclude_none=True),
                headers=headers,
                timeout=request.timeout + 10,
            )
        except httpx.HTTPError as e:
            raise RuntimeError(f"server {server} unreachable: {e}") from None
        answer = r.json()
        if r.status_code != 200:
            raise RuntimeError(
                f"server said {r.status_code}: {answer.get('error', {}).get('message')}"
            )
        return answer
    from prover.copilot import build_copilot
    from prover.copilot.session import Cancelled, Deadline
    from prover.copilot.suggest import RequestError
    from prover.models import load_generator
    from prover.models.base import ModelUnavailable

    try:
        copilot = build_copilot(load_generator(model, lazy=False))
    except ModelUnavailable as e:
        raise RuntimeError(str(e)) from None
    try:
        return copilot.suggest(request, Deadline(request.timeout)).model_dump(mode="json")
    except (RequestError, Cancelled) as e:
        raise ValueError(str(e)) from None
    finally:
        copilot.sessions.close()
        close = getattr(copilot.generator, "close", None)
        if close:
            close()


def print_answer(answer: dict[str, Any], file: str, as_json: bool) -> None:
    """The answer as JSON (as the server sent it), or as a table of the suggestions."""
    if as_json:
        print(json.dumps(answer, indent=1))
        return
    typed = SuggestAnswer.model_validate(answer)
    if not typed.ok:
        err = typed.error or ErrorInfo(message="no answer")
        where = f"{file}:{err.line}:{err.col}: " if err.line else f"{file}: "
        print(f"{where}{err.message}")
        return
    if not typed.suggestions:
        print(typed.note or "no suggestion was accepted by Coq")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="checked suggestions, best first")
    for col in ("#", "tactic", "result", "from"):
        table.add_column(col)
    for i, s in enumerate(typed.suggestions, 1):
        if s.status == "failed":
            result = "failed: " + (s.error or "")[:80]
        elif s.status == "open":
            goals = s.goals or []
            last = goals[0].splitlines()[-1] if goals and goals[0] else ""
            result = f"{len(goals)} goal(s): {last}"
        else:
            result = s.status
        table.add_row(str(i), s.tactic, result, s.source or "")
    Console(width=120).print(table)
