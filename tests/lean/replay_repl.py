"""A STAND-IN for the Lean REPL executable, for machines without Lean.

It is not Lean: it answers each request with the answer the real REPL recorded for the
same request in a transcript (NAME.in -> NAME.expected.out). It checks that every request
it receives equals the recorded one (as JSON), so a client that sends the wrong request
gets a loud error instead of a plausible answer. Usage:
    replay_repl.py NAME.in NAME.expected.out [--crash-at K MARKER]
A request whose recorded answer is exhausted, or that differs, answers {"message": "replay: ..."}.
With --crash-at, the process dies without answering request K (counted from 0) unless the
file MARKER exists, and creates MARKER first: the next process, started by the client after
the crash, replays the whole recording normally. That simulates a Lean crash mid-search.
"""

import json
import sys
from collections.abc import Callable
from pathlib import Path


def objects(text: str) -> list:
    decoder = json.JSONDecoder(strict=False)  # the REPL accepts raw newlines inside strings
    out, i = [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        obj, i = decoder.raw_decode(text, i)
        out.append(obj)


def requests(stream):
    """The JSON requests on `stream`, one per blank-line-separated block (the REPL's framing)."""
    buf = ""
    for line in stream:
        if line.strip():
            buf += line
            continue
        if buf.strip():
            yield json.loads(buf, strict=False)
        buf = ""


def serve(answer: Callable[[dict], dict], log: Path | None = None) -> None:
    """Answer each request on stdin with `answer(request)`, pretty-printed and followed by a
    blank line as the REPL frames it; with `log`, first append the request there (a JSON line)."""
    for req in requests(sys.stdin):
        if log is not None:
            with log.open("a", encoding="utf-8") as f:
                f.write(json.dumps(req, ensure_ascii=False) + "\n")
        sys.stdout.write(json.dumps(answer(req), indent=1, ensure_ascii=False) + "\n\n")
        sys.stdout.flush()


def main() -> None:
    crash_at, marker = None, None
    if len(sys.argv) == 6 and sys.argv[3] == "--crash-at":
        crash_at, marker = int(sys.argv[4]), Path(sys.argv[5])
    recorded = objects(Path(sys.argv[1]).read_text(encoding="utf-8"))
    answers = Path(sys.argv[2]).read_text(encoding="utf-8").split("\n\n")
    answers = [a for a in answers if a.strip()]
    for i, got in enumerate(requests(sys.stdin)):
        if i == crash_at and marker is not None and not marker.exists():
            marker.touch()
            sys.exit(1)
        if i >= len(recorded):
            reply = json.dumps({"message": "replay: no more recorded answers"})
        elif got != recorded[i]:
            reply = json.dumps(
                {
                    "message": f"replay: request {i} differs from the recording: {got} != {recorded[i]}"
                }
            )
        else:
            reply = answers[i].strip("\n")
        sys.stdout.write(reply + "\n\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
