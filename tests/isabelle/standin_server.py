"""A STAND-IN for `isabelle server`, because Isabelle cannot be installed on the CI machines.

It speaks the server's documented wire protocol (Isabelle system manual, chapter "The
Isabelle server"; the same framing isabelle-client parses): the first line of a connection is
the password, answered by ``OK {...}`` or, when wrong, by silently closing the connection;
then commands ``name {json}``; synchronous commands answer ``OK``/``ERROR``; asynchronous
ones (session_start, session_stop, use_theories) answer ``OK {"task": ID}``, then ``NOTE``
messages, then ``FINISHED``/``FAILED`` carrying the task id; ``cancel`` makes a running task
fail with "Interrupt"; a message longer than 100 bytes is sent as a line holding its byte
length followed by that many bytes (the message and its newline). On start it prints the server line, like `isabelle server`:
``server "NAME" = 127.0.0.1:PORT (password "PW")``.

It is not Isabelle and proves nothing. It "checks" a theory file by fixed rules read from a
JSON config (re-read before every check, so a test can change them between checks):
  - ``by METHOD`` (to the end of the line) succeeds iff METHOD is in ``accept``; a METHOD whose
    name is in ``undefined`` gives "Undefined method"; any other gives "Failed to finish proof";
  - ``sorry`` and ``oops`` are accepted silently, as real Isabelle does in a session;
  - a ``sledgehammer`` line yields writeln messages "Try this: S (N ms)" for each S in ``suggest``;
  - a line containing ``BROKEN`` is an "Inner syntax error"; one containing ``HANG`` never
    finishes until the task is cancelled;
  - an import (in the header, before ``begin``) named in ``missing_imports`` gives Isabelle's
    "Bad theory import" error;
  - ``purge_theories`` purges the theories, or with ``"retain": true`` keeps them (as a
    server does with a theory still running after a cancel);
  - ``thm_oracles T.F`` (the oracle audit) in a theory answers as Isabelle's command does
    (Pure's thm_deps.ML: ``Pretty.big_list "oracles:"`` of one item per oracle, written as a
    writeln message of that theory's node): the line ``oracles:``, then per oracle two
    spaces, the oracle's shortest unique name and, as at proof recording levels >= 1,
    ``: `` and the proposition it produced (a long one continues on a deeper-indented line).
    The oracles come from theory T.thy by fixed rules: ``by eval`` gives
    ``holds_by_evaluation``, ``by normalization`` ``normalization_by_evaluation`` (both
    declared in HOL's theory Code_Generator), ``sorry``/``oops`` give ``skip_proof``
    (Pure), and ``"oracles": {"METHOD": [NAME, ...]}`` in the config adds NAMEs for ``by
    METHOD``. A fact T.F that T.thy does not declare gives "Undefined fact", a T.thy that
    is not there "Bad theory import".
Every command name is appended to CONFIG.log, so tests can see what the client sent.
Usage: standin_server.py CONFIG.json
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import uuid
from pathlib import Path

PASSWORD = "standin-" + uuid.uuid4().hex[:8]


def frame(kind: str, body) -> bytes:
    payload = f"{kind} {json.dumps(body)}".encode() if body is not None else kind.encode()
    if len(payload) > 100:  # as Isabelle's Byte_Message: the length counts the final newline
        return f"{len(payload) + 1}\n".encode() + payload + b"\n"
    return payload + b"\n"


def check(text: str, config: dict) -> tuple[list[dict], list[dict], bool]:
    """(errors, messages, hang) for a theory text, by the rules in the module docstring."""
    errors, messages, hang = [], [], False
    lines = text.splitlines()
    begin_line = next((i for i, line in enumerate(lines, 1) if line.strip() == "begin"), 0)
    for no, line in enumerate(lines, 1):
        if no <= begin_line:
            for missing in config.get("missing_imports", []):
                if missing in line:
                    message = f'Bad theory import "{missing}"'
                    errors.append({"kind": "error", "message": message, "pos": {"line": no}})
            continue
        if "HANG" in line:
            hang = True
        if "BROKEN" in line:
            errors.append({"kind": "error", "message": "Inner syntax error", "pos": {"line": no}})
        for m in re.finditer(r"\bby\s+(.+?)\s*$", line):
            method = m.group(1)
            if method in config.get("accept", []):
                continue
            name = method.strip("()").split()[0]
            message = (
                f'Undefined method: "{name}"'
                if name in config.get("undefined", [])
                else "Failed to finish proof"
            )
            errors.append({"kind": "error", "message": message, "pos": {"line": no}})
        if re.search(r"\bsledgehammer\b", line):
            for s in config.get("suggest", []):
                messages.append(
                    {"kind": "writeln", "message": f"Try this: {s} (17 ms)", "pos": {"line": no}}
                )
    return errors, messages, hang


BUILTIN_ORACLES = {
    "eval": ["holds_by_evaluation"],
    "normalization": ["normalization_by_evaluation"],
}


def thm_oracles(text: str, folder: Path, config: dict) -> tuple[list[dict], list[dict]]:
    """(errors, messages) of the ``thm_oracles T.F`` lines of a theory (see the docstring)."""
    errors, messages = [], []
    for no, line in enumerate(text.splitlines(), 1):
        m = re.match(r"\s*thm_oracles\s+(\w+)\.(\w+)\s*$", line)
        if m is None:
            continue
        theory, fact = m.groups()
        source = folder / f"{theory}.thy"
        if not source.exists():
            message = f'Bad theory import "{theory}"'
            errors.append({"kind": "error", "message": message, "pos": {"line": no}})
            continue
        # Comments and formal comments are not proof text (a naive cut, enough for tests).
        proved = re.sub(r"\(\*.*?\*\)", " ", source.read_text(), flags=re.S)
        proved = re.sub(
            r"(\\<comment>|\u2014)\s*(\\<open>|\u2039).*?(\\<close>|\u203a)",
            " ",
            proved,
            flags=re.S,
        )
        if not re.search(rf"\b(theorem|lemma)\s+{fact}\b", proved):
            message = f'Undefined fact: "{theory}.{fact}"'
            errors.append({"kind": "error", "message": message, "pos": {"line": no}})
            continue
        table = BUILTIN_ORACLES | config.get("oracles", {})
        names: list[str] = []
        for method in re.findall(r"\bby\s+(.+?)\s*$", proved, re.M):
            names += [n for n in table.get(method.strip("()"), []) if n not in names]
        if re.search(r"\b(sorry|oops)\b", proved) and "skip_proof" not in names:
            names.append("skip_proof")
        shows = re.findall(r'shows\s+"([^"]*)"', proved)
        prop = shows[-1] if shows else "False"
        items = [
            f"  {n}: {prop}" + ("\n      \\<and> True" if len(prop) > 40 else "") for n in names
        ]
        answer = "\n".join(["oracles:", *items])
        messages.append({"kind": "writeln", "message": answer, "pos": {"line": no}})
    return errors, messages


class StandIn:
    def __init__(self, config_path: Path):
        self.config_path = config_path
        self.log_path = config_path.with_suffix(".log")
        self.sessions: set[str] = set()
        self.cancelled: set[str] = set()

    def log(self, name: str) -> None:
        with self.log_path.open("a") as f:
            f.write(name + "\n")

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            password = (await reader.readline()).decode().strip()
            if password != PASSWORD:
                return  # the manual: "silent disconnection of an illegal connection attempt"
            writer.write(frame("OK", {"isabelle_id": "standin", "isabelle_name": "StandIn"}))
            while line := (await reader.readline()).decode().strip():
                name, _, arg = line.partition(" ")
                args = json.loads(arg) if arg.strip() else None
                self.log(name)
                await self.command(name, args, writer)
                await writer.drain()
        finally:
            writer.close()

    async def command(self, name: str, args, writer: asyncio.StreamWriter) -> None:
        task = str(uuid.uuid4())
        if name == "session_start":
            writer.write(frame("OK", {"task": task}))
            note = {"kind": "writeln", "message": f"Starting session {args['session']}"}
            writer.write(frame("NOTE", note | {"task": task}))
            session = str(uuid.uuid4())
            self.sessions.add(session)
            writer.write(frame("FINISHED", {"session_id": session, "tmp_dir": "/", "task": task}))
        elif name == "session_stop":
            self.sessions.discard(args["session_id"])
            writer.write(frame("OK", {"task": task}))
            writer.write(frame("FINISHED", {"ok": True, "return_code": 0, "task": task}))
        elif name == "use_theories":
            await self.use_theories(args, task, writer)
        elif name == "purge_theories":
            # Node names are the theory files' paths; with "retain" the server keeps them
            # (as Isabelle does with a theory still running after a cancel).
            nodes = [
                {"node_name": str(Path(args["master_dir"]) / f"{t}.thy")}
                for t in args.get("theories", [])
            ]
            retain = json.loads(self.config_path.read_text()).get("retain", False)
            answer = (
                {"purged": [], "retained": nodes} if retain else {"purged": nodes, "retained": []}
            )
            writer.write(frame("OK", answer))
        elif name == "cancel":
            self.cancelled.add(args["task"])
            writer.write(frame("OK", None))
        elif name == "shutdown":
            writer.write(frame("OK", None))
            await writer.drain()
            asyncio.get_running_loop().call_soon(sys.exit, 0)
        else:
            writer.write(frame("ERROR", f"Bad command {name!r}"))

    async def use_theories(self, args: dict, task: str, writer: asyncio.StreamWriter) -> None:
        if args.get("session_id") not in self.sessions:
            writer.write(frame("ERROR", {"kind": "error", "message": "No session"}))
            return
        writer.write(frame("OK", {"task": task}))
        await writer.drain()
        config = json.loads(self.config_path.read_text())
        folder = Path(args["master_dir"])
        nodes, all_errors, hang = [], [], False
        for theory in args["theories"]:
            writer.write(frame("NOTE", {"kind": "writeln", "message": "Loading", "task": task}))
            text = (folder / f"{theory}.thy").read_text()
            errors, messages, h = check(text, config)
            audit_errors, audit_messages = thm_oracles(text, folder, config)
            errors += audit_errors
            messages += audit_messages
            hang |= h
            all_errors += errors
            status = {"ok": not errors, "failed": len(errors), "consolidated": True}
            nodes.append(
                {
                    "node_name": str(folder / f"{theory}.thy"),
                    "theory_name": f"Draft.{theory}",
                    "messages": messages + errors,
                    "exports": [],
                    "status": status,
                }
            )
        if hang:
            while task not in self.cancelled:
                await asyncio.sleep(0.05)
            writer.write(frame("FAILED", {"kind": "error", "message": "Interrupt", "task": task}))
            return
        body = {"ok": not all_errors, "errors": all_errors, "nodes": nodes, "task": task}
        writer.write(frame("FINISHED", body))


async def main() -> None:
    standin = StandIn(Path(sys.argv[1]))
    server = await asyncio.start_server(standin.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f'server "standin" = 127.0.0.1:{port} (password "{PASSWORD}")', flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
