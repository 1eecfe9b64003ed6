"""miniF2F in Coq/Rocq (LLM4Rocq/miniF2F-rocq): 244 test + 244 valid statements."""

from __future__ import annotations

import re
from pathlib import Path

from prover.datasets.jsonl import fetch_github_tarball, load_statements, write_jsonl
from prover.theorem import Theorem

UPSTREAM_REPO = "LLM4Rocq/miniF2F-rocq"
UPSTREAM_COMMIT = "b60affae5d9b81eb097424e3143c40165ccbe97b"


def load(path: Path, split: str) -> list[Theorem]:
    return load_statements(path, split, "coq")


_THEOREM = re.compile(r"^(Theorem|Lemma)\s+([A-Za-z0-9_']+)", re.M)


def parse_v_file(text: str, split: str, source_path: str) -> dict | None:
    """Split an upstream .v file into header and statement (up to the `Proof.` line)."""
    m = _THEOREM.search(text)
    if not m:
        return None
    proof = re.search(r"^\s*Proof\.", text[m.start() :], re.M)
    end = m.start() + proof.start() if proof else len(text)
    return {
        "name": m.group(2),
        "split": split,
        "header": text[: m.start()].strip(),
        "formal_statement": text[m.start() : end].strip(),
        "source_path": source_path,
    }


def download(target: Path) -> Path:
    records = []
    with fetch_github_tarball(UPSTREAM_REPO, UPSTREAM_COMMIT) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            parts = member.name.split("/")
            if len(parts) == 3 and parts[1] in ("test", "valid") and parts[2].endswith(".v"):
                text = tar.extractfile(member).read().decode()
                rec = parse_v_file(text, parts[1], "/".join(parts[1:]))
                if rec:
                    records.append(rec)
    return write_jsonl(target / "minif2f.jsonl", records)
