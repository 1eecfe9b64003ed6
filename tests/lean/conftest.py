"""Lean tests run the client against recorded real REPL answers (see replay_repl.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPLAY = Path(__file__).with_name("replay_repl.py")
FOLDERS = ("lean-repl-transcripts", "lean-repl-transcripts-v4.24.0")


def replay_command(transcript_in: Path) -> list[str]:
    return [
        sys.executable,
        str(REPLAY),
        str(transcript_in),
        str(transcript_in.with_suffix(".expected.out")),
    ]


@pytest.fixture(scope="session")
def transcripts(data_dir) -> list[Path]:
    found = []
    for folder in FOLDERS:
        root = data_dir / folder
        assert root.is_dir(), f"{root} missing"
        found += [p for p in sorted(root.rglob("*.in")) if p.with_suffix(".expected.out").exists()]
    assert len(found) >= 100
    return found
