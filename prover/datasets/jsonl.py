"""Shared helpers for benchmark files: read JSON lines with clear errors, fetch upstream archives."""

from __future__ import annotations

import io
import json
import tarfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path


def read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as e:
                from prover.datasets import DatasetError

                raise DatasetError(f"{path}:{i}: not valid JSON ({e.msg})") from e


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def fetch_github_tarball(repo: str, commit: str, timeout: float = 60) -> tarfile.TarFile:
    """Download a pinned commit of a public repository as a tar archive (in memory)."""
    url = f"https://codeload.github.com/{repo}/tar.gz/{commit}"
    with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - fixed https URL
        data = r.read()
    return tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")


def load_statements(path: Path, split: str, system: str) -> list:
    """Theorems from records with name, split, header and formal_statement (+ informal texts if any)."""
    from prover.theorem import Theorem

    return [
        Theorem(
            name=r["name"],
            system=system,
            statement=r["formal_statement"],
            header=r.get("header", ""),
            split=r["split"],
            informal_statement=r.get("informal_statement"),
            informal_proof=r.get("informal_proof"),
        )
        for r in read_jsonl(path)
        if split == "all" or r["split"] == split
    ]
