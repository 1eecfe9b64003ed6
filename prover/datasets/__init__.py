"""Benchmarks by name, read from a local data folder or downloaded from upstream.

The data folder holds one sub-folder per benchmark (``minif2f-rocq/minif2f.jsonl``, ...).
It is found, in order: the ``--data-dir`` flag, ``$PROVER_DATA_DIR``, a ``shared/data``
folder beside the checkout, and the download cache ``~/.cache/prover/data`` (filled from
the pinned upstream commit when the benchmark is missing and the network allows).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from prover.theorem import Theorem

# benchmark name -> (module, proof assistant)
BENCHMARKS: dict[str, tuple[str, str]] = {
    "minif2f-rocq": ("prover.datasets.minif2f_rocq", "coq"),
    "minif2f-lean4": ("prover.datasets.minif2f_lean4", "lean"),
    "minif2f-isabelle": ("prover.datasets.minif2f_isabelle", "isabelle"),
}
DEFAULT_BENCHMARK = {"coq": "minif2f-rocq", "lean": "minif2f-lean4", "isabelle": "minif2f-isabelle"}


class DatasetError(Exception):
    """Unknown benchmark, missing data, or a malformed data file; the message says what to do."""


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "prover" / "data"


def candidate_dirs(data_dir: str | os.PathLike | None = None) -> list[Path]:
    dirs: list[Path] = []
    if data_dir:
        dirs.append(Path(data_dir))
    if os.environ.get("PROVER_DATA_DIR"):
        dirs.append(Path(os.environ["PROVER_DATA_DIR"]))
    repo = Path(__file__).resolve().parents[2]
    dirs.append(repo.parent / "shared" / "data")
    dirs.append(cache_dir())
    return dirs


def system_of(benchmark: str) -> str:
    if benchmark not in BENCHMARKS:
        raise DatasetError(f"unknown benchmark {benchmark!r}; known: {', '.join(BENCHMARKS)}")
    return BENCHMARKS[benchmark][1]


def load_benchmark(
    benchmark: str, split: str = "test", data_dir: str | os.PathLike | None = None
) -> list[Theorem]:
    """Load `split` ("test", "valid" or "all") of a named benchmark."""
    system_of(benchmark)
    module = importlib.import_module(BENCHMARKS[benchmark][0])
    if split not in ("test", "valid", "all"):
        raise DatasetError(f"unknown split {split!r}; use test, valid or all")
    explicit = Path(data_dir) if data_dir else None
    if explicit is not None and not explicit.exists():
        raise DatasetError(f"data folder {explicit} does not exist")
    for d in candidate_dirs(data_dir):
        f = d / benchmark / "minif2f.jsonl"
        if f.exists():
            return with_informal(module.load(f, split), data_dir)
    try:
        f = module.download(cache_dir() / benchmark)
    except Exception as e:  # network errors of every kind end the same way for the user
        raise DatasetError(
            f"benchmark {benchmark!r} not found locally and download failed ({e}); "
            f"pass --data-dir DIR or set PROVER_DATA_DIR to a folder holding {benchmark}/minif2f.jsonl"
        ) from e
    return with_informal(module.load(f, split), data_dir)


def with_informal(
    theorems: list[Theorem], data_dir: str | os.PathLike | None = None
) -> list[Theorem]:
    """Give Lean and Coq records the informal statement and proof of the same-named
    miniF2F-isabelle record (the only miniF2F port that has them), where that file is here."""
    import dataclasses
    import json

    if all(t.informal_statement and t.informal_proof for t in theorems):
        return theorems
    source = next(
        (
            d / "minif2f-isabelle" / "minif2f.jsonl"
            for d in candidate_dirs(data_dir)
            if (d / "minif2f-isabelle" / "minif2f.jsonl").exists()
        ),
        None,
    )
    if source is None:
        return theorems
    informal: dict[str, tuple[str | None, str | None]] = {}
    with source.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                informal[rec["name"]] = (rec.get("informal_statement"), rec.get("informal_proof"))
    return [
        dataclasses.replace(
            t,
            informal_statement=t.informal_statement or informal[t.name][0],
            informal_proof=t.informal_proof or informal[t.name][1],
        )
        if t.name in informal
        else t
        for t in theorems
    ]


def select(
    theorems: list[Theorem], names: list[str] | None = None, limit: int | None = None
) -> list[Theorem]:
    if names:
        byname = {t.name: t for t in theorems}
        missing = [n for n in names if n not in byname]
        if missing:
            raise DatasetError(f"no theorem named {', '.join(missing)} in this benchmark")
        theorems = [byname[n] for n in names]
    return theorems[:limit] if limit else theorems
