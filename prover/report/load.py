"""Results files into runs: ours (JSON lines) and Llemma harness outputs (results -> example.full_name, success)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from prover.results import ResultRecord, read_results


@dataclass
class Run:
    """One configuration's results from one file: the unit every table row and curve is about."""

    label: str
    path: Path
    config_id: str
    records: list[ResultRecord] = field(default_factory=list)

    @property
    def system(self) -> str:
        return self.records[0].system if self.records else ""

    @property
    def method(self) -> str:
        return self.records[0].method if self.records else ""

    @property
    def model(self) -> str:
        return self.records[0].model if self.records else ""

    def by_name(self) -> dict[str, ResultRecord]:
        return {r.name: r for r in self.records}


def is_llemma_file(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    return isinstance(data, dict) and isinstance(data.get("results"), list)


def read_llemma(path: Path) -> list[ResultRecord]:
    """Llemma's formal-to-formal harness output: {"results": [{"example": {"full_name"...}, "success": bool, ...}]}."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for item in data["results"]:
        example = item.get("example", {})
        name = example.get("full_name") or example.get("name") or ""
        proof = item.get("proof")
        out.append(
            ResultRecord(
                name=name,
                system="lean",
                status="proved" if item.get("success") else "failed",
                proof="\n".join(proof) if isinstance(proof, list) else proof,
                method="llemma-harness",
                model=str(data.get("args", {}).get("model_name", ""))
                if isinstance(data.get("args"), dict)
                else "",
                config_id="llemma:" + path.stem,
                reason=str(item.get("failure_reason", "")),
            )
        )
    return out


def load_runs(paths: list[Path], warnings: list[str]) -> list[Run]:
    """Split every file by configuration; a file mixing configurations gets a warning, never a merge."""
    runs: list[Run] = []
    for path in paths:
        records = read_llemma(path) if is_llemma_file(path) else read_results(path)
        if not records:
            warnings.append(f"{path}: no results")
            continue
        groups: dict[str, list[ResultRecord]] = defaultdict(list)
        for r in records:
            groups[r.config_id or "unknown"].append(r)
        if len(groups) > 1:
            warnings.append(
                f"{path} mixes {len(groups)} configurations ({', '.join(sorted(groups))}); reported separately"
            )
        for cid, recs in groups.items():
            label = path.stem if len(groups) == 1 else f"{path.stem}[{cid}]"
            runs.append(Run(label, path, cid, recs))
    return runs
