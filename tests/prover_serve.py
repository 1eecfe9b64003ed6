"""`prover serve` as a real server process on a free loopback port, for the tests that need one."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def prover_serve(*args: str) -> Iterator[str]:
    """Start `prover serve --port 0 ARGS`; yield its base URL (http://127.0.0.1:PORT)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "prover", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        m = re.search(r"(http://\S+)/v1", line)
        assert m, f"prover serve did not start: {line!r}"
        yield m.group(1)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
