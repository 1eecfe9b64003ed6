"""miniF2F in Lean 4 + Mathlib (yangky11/miniF2F-lean4): 244 test + 244 valid statements."""

from __future__ import annotations

import re
from pathlib import Path

from prover.datasets.jsonl import fetch_github_tarball, load_statements, write_jsonl
from prover.theorem import Theorem

UPSTREAM_REPO = "yangky11/miniF2F-lean4"
UPSTREAM_COMMIT = "5746b7d6c47855ce1294bed87329618ff7f1bc31"
_THEOREM = re.compile(r"^(theorem|lemma)\s+(\S+)", re.M)


def load(path: Path, split: str) -> list[Theorem]:
    return load_statements(path, split, "lean")


def parse_lean_file(text: str, default_name: str = "", split: str = "") -> Theorem:
    """Header (before the theorem) and statement (through ':= by', dropping a trailing sorry)."""
    m = _THEOREM.search(text)
    if not m:
        raise ValueError("no 'theorem NAME ...' in the file")
    body = text[m.start() :]
    by = body.find(":= by")
    if by < 0:
        raise ValueError("the theorem must be stated as 'theorem NAME ... := by'")
    return Theorem(
        name=m.group(2) or default_name,
        system="lean",
        statement=body[: by + len(":= by")],
        header=text[: m.start()].strip(),
        split=split,
    )


def download(target: Path) -> Path:
    records = []
    with fetch_github_tarball(UPSTREAM_REPO, UPSTREAM_COMMIT) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            parts = member.name.split("/")
            if (
                len(parts) == 4
                and parts[1] == "MiniF2F"
                and parts[2] in ("Test", "Valid")
                and parts[3].endswith(".lean")
            ):
                t = parse_lean_file(
                    tar.extractfile(member).read().decode(), parts[3][:-5], parts[2].lower()
                )
                records.append(
                    {
                        "name": t.name,
                        "split": t.split,
                        "header": t.header,
                        "formal_statement": t.statement,
                        "source_path": "/".join(parts[1:]),
                    }
                )
    return write_jsonl(target / "minif2f.jsonl", records)
