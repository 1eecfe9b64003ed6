"""The REPL's framing, shared by the test stand-ins: requests are JSON objects separated by
blank lines on stdin; each answer is a JSON object followed by a blank line on stdout."""

import json
import sys
from collections.abc import Iterator


def requests(stream=sys.stdin) -> Iterator[str]:
    """The text of each request, as the REPL reads it (blank-line separated)."""
    buf = ""
    for line in stream:
        if line.strip():
            buf += line
            continue
        if buf.strip():
            yield buf
        buf = ""


def answer(reply: dict) -> None:
    sys.stdout.write(json.dumps(reply, indent=1, ensure_ascii=False) + "\n\n")
    sys.stdout.flush()
