"""A STAND-IN for `isabelle server`, for machines without Isabelle.

It speaks the server's documented wire protocol (the Isabelle system manual, chapter "The
Isabelle server"; the same framing isabelle-client parses): a password line answered by
``OK {...}``; commands as ``name {json}``; immediate ``OK``/``ERROR`` answers; asynchronous
tasks answered by ``OK {"task": ID}``, then ``NOTE`` messages, then ``FINISHED``/``FAILED``
carrying the task id; any message longer than 64 bytes is sent as a line holding its byte
length followed by that many bytes.

It is not Isabelle and proves nothing. It "checks" a theory file by fixed rules read from a
JSON config, so tests can script which proof methods succeed:
  - ``by METHOD`` (to the end of the line) succeeds iff METHOD is in ``accept``; otherwise an
    error "Failed to finish proof" at that line;
  - ``sorry`` and ``oops`` are accepted silently, as real Isabelle does in a session;
  - a ``sledgehammer`` line yields writeln messages "Try this: S (N ms)" for each S in ``suggest``;
  - a line containing ``BROKEN`` is an "Inner syntax error"; one containing ``HANG`` never finishes.
Usage: standin_server.py CONFIG.json  (prints the server line, like `isabelle server`).
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import uuid
from pathlib import Path

PASSWORD = "standin-password"


def frame(kind: str, body) -> bytes:
    payload = f"{kind} {json.dumps(body)}\n".encode() if body is not None else f"{kind}\n".encode()
    if len(payload) > 64:
        return f"{len(payload)}\n".encode() + payload
    return payload


def check(text: str, config: dict) -> tuple[list[dict], list[dict], bool]:
    """(errors, messages, hang) for a theory text, by the rules in the module docstring."""
    errors, messages, hang = [], [], False
    begin_line = next(
        (i for i, line in enumerate(text.splitlines(), 1) if line.strip() == "begin"), 0
    )
    for no, line in enumerate(text.splitlines(), 1):
        if no <= begin_line:
            continue
        if "HANG" in line:
            hang = True
        if "BROKEN" in line:
            errors.append({"kind": "error", "message": "Inner syntax error", "pos": {"line": no}})
        for m in re.finditer(r"\bby\s+(.+?)\s*$", line):
            if m.group(1) not in config.get("accept", []):
                errors.append(
                    {"kind": "error", "message": "Failed to finish proof", "pos": {"line": no}}
                )
        if re.search(r"\bsledgehammer\b", line):
            for s in config.get("suggest", []):
                messages.append(
                    {"kind": "writeln", "message": f"Try this: {s} (17 ms)", "pos": {"line": no}}
                )
    return errors, messages, hang


class StandIn:
    def __init__(self, config_path: Path):
        self.config_path = config_path
        self.cancelled: set[str] = set()
        self.log: list[str] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            password = (await reader.readline()).decode().strip()
            if password != PASSWORD:
                writer.write(frame("ERROR", "Bad password"))
                return
            writer.write(frame("OK", {"isabelle_id": "standin", "isabelle_name": "StandIn"}))
            while line := (await reader.readline()).decode().strip():
                name, _, arg = line.partition(" ")
                args = json.loads(arg) if arg else {}
                self.log.append(name)
                await self.command(name, args, writer)
                await writer.drain()
        finally:
            writer.close()

    async def command(self, name: str, args: dict, writer: asyncio.StreamWriter) -> None:
        task = str(uuid.uuid4())
        if name == "session_start":
            writer.write(frame("OK", {"task": task}))
            writer.write(
                frame(
                    "NOTE",
                    {
                        "kind": "writeln",
                        "message": "Starting session " + args["session"],
                        "task": task,
                    },
                )
            )
            writer.write(
                frame(
                    "FINISHED", {"session_id": "standin-session", "tmp_dir": "/tmp", "task": task}
                )
            )
        elif name == "session_stop":
            writer.write(frame("OK", {"task": task}))
            writer.write(frame("FINISHED", {"ok": True, "return_code": 0, "task": task}))
        elif name == "use_theories":
            writer.write(frame("OK", {"task": task}))
            await writer.drain()
            folder = Path(args["master_dir"])
            nodes, all_errors, hang = [], [], False
            for theory in args["theories"]:
                text = (folder / f"{theory}.thy").read_text()
                errors, messages, h = check(text, json.loads(self.config_path.read_text()))
                hang |= h
                all_errors += errors
                nodes.append(
                    {
                        "node_name": str(folder / f"{theory}.thy"),
                        "theory_name": f"Draft.{theory}",
                        "messages": messages + errors,
                        "exports": [],
                        "status": {"ok": not errors, "failed": bool(errors), "finished": True},
                    }
                )
            if hang:
                while task not in self.cancelled:
                    await asyncio.sleep(0.05)
                writer.write(
                    frame("FAILED", {"kind": "error", "message": "Interrupt", "task": task})
                )
                return
            writer.write(
                frame(
                    "FINISHED",
                    {"ok": not all_errors, "errors": all_errors, "nodes": nodes, "task": task},
                )
            )
        elif name == "purge_theories":
            writer.write(
                frame(
                    "OK",
                    {
                        "purged": [{"node_name": t} for t in args.get("theories", [])],
                        "retained": [],
                    },
                )
            )
        elif name == "cancel":
            self.cancelled.add(args["task"])
            writer.write(frame("OK", None))
        else:
            writer.write(frame("ERROR", f"Bad command {name!r}"))


async def main() -> None:
    standin = StandIn(
        Path(sys.argv[1])
    )  # re-read before every check, so tests can change the rules
    server = await asyncio.start_server(standin.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f'server "standin" = 127.0.0.1:{port} (password "{PASSWORD}")', flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
