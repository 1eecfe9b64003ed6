"""One JSON line per finished theorem: the results file is the unit of resumption.

A run appends a line as each theorem finishes (flushed and fsynced), so a killed run
loses at most the theorems in flight; re-running with the same `--out` skips every name
already present. Each line carries a `config` digest so reports never merge runs with
different settings silently.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass(kw_only=True)
class Counts:
    """What one proof attempt used: its counters and the wall clock's split.

    Both a method's result (`prover.methods.result.ProofResult`) and a results line
    (`ResultRecord`) carry these fields, flat, under these names.
    """

    expansions: int = 0
    tactic_calls: int = 0
    replayed_tactics: int = 0
    model_calls: int = 0
    model_seconds: float = 0.0
    checker_seconds: float = 0.0
    wall_seconds: float = 0.0

    def counts(self) -> dict[str, int | float]:
        """The counts as a results line records them: seconds rounded to the millisecond."""
        return {f.name: round(getattr(self, f.name), 3) for f in fields(Counts)}

    @property
    def other_seconds(self) -> float:
        """Wall seconds neither in the model nor in the proof assistant."""
        return max(self.wall_seconds - self.model_seconds - self.checker_seconds, 0.0)

    @staticmethod
    def summed(items: Iterable[Counts]) -> dict[str, int | float]:
        """Each count's total over `items`, by field name (a batch's totals)."""
        items = list(items)
        return {f.name: sum(getattr(c, f.name) for c in items) for f in fields(Counts)}


@dataclass
class ResultRecord(Counts):
    name: str
    system: str
    status: str  # a prover.assistants.base.Status value
    split: str = ""
    proof: str | None = None
    reason: str = ""
    method: str = ""  # a prover.methods name: "search", "portfolio", "whole", "sketch", ...
    model: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    config_id: str = ""
    # Axioms beyond the standard library the proof relies on (a benchmark header's own
    # hypotheses, by kernel name): a proof of `1 = 2` from `Axiom cheat : False` shows here.
    axioms: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ResultRecord:
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        return cls(**known)


def config_id(config: dict[str, Any]) -> str:
    """A short stable digest of the settings that change what a run can prove."""
    blob = json.dumps(config, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:12]


def read_results(path: str | os.PathLike) -> list[ResultRecord]:
    """Read a results file, tolerating a torn last line from a killed run."""
    p = Path(path)
    if not p.exists():
        return []
    out: list[ResultRecord] = []
    with p.open(encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                out.append(ResultRecord.from_dict(json.loads(line)))
            except (json.JSONDecodeError, TypeError):
                continue  # a line cut short by a kill; that theorem will be redone
    return out


def overrun(record: ResultRecord) -> float:
    """Seconds past the run's wall-clock budget (negative: finished early; 0 without one)."""
    budget = float(record.config.get("budget", {}).get("wall_seconds", 0.0))
    return record.wall_seconds - budget if budget else 0.0


def common_results(
    a: str | os.PathLike, b: str | os.PathLike
) -> tuple[list[ResultRecord], list[ResultRecord]]:
    """Two results files' records of the theorems both hold, in name order (the pairing
    every comparison of two runs makes). Raises SystemExit when they share none."""
    left = {r.name: r for r in read_results(a)}
    right = {r.name: r for r in read_results(b)}
    common = sorted(left.keys() & right.keys())
    if not common:
        raise SystemExit("the two files share no theorem")
    return [left[n] for n in common], [right[n] for n in common]


def finished_names(path: str | os.PathLike) -> set[str]:
    return {r.name for r in read_results(path)}


class ResultsWriter:
    """Appends records durably. Never truncates an existing file."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._repair_tail()

    def _repair_tail(self) -> None:
        # A kill mid-write can leave a line without its newline; start on a fresh line.
        if self.path.exists() and self.path.stat().st_size > 0:
            with self.path.open("rb") as f:
                f.seek(-1, os.SEEK_END)
                last = f.read(1)
            if last != b"\n":
                with self.path.open("ab") as f:
                    f.write(b"\n")

    def append(self, record: ResultRecord) -> None:
        with self.path.open("a", encoding="utf-8") as f:
            f.write(record.to_json() + "\n")
            f.flush()
            os.fsync(f.fileno())
