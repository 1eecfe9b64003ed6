"""Results files into runs: ours (JSON lines) and Llemma's formal2formal harness outputs.

A *run* is every record sharing one configuration digest. Files are split by digest (a file
that mixes digests gets a warning and yields one run per digest) and files with the same
digest are joined (shards of one run, or a run resumed into another file), so nothing with
different settings is ever merged into one row.

Llemma's harness (wellecks/llemma_formal2formal, proofsearch.py) writes one JSON object per
shard: {"results": [{"example": {"full_name", "statement", "split", ...}, "success": bool,
"attempt_results": [{"proof": [tactics], "success", "failure_reason", "elapsed" (negative
seconds), "iteration" (0-based expansion index), ...}]}], "args": {model_name, num_samples,
max_iters, temperatures, timeout, ...}}. The outputs published in that repository carry no
"args"; their model is then read from the file name (results__<model>__<shard>.json).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prover.results import ResultRecord, config_id, read_results

# Harness arguments that only say where/which part of a run this file is, not what it could prove.
_LLEMMA_RUN_LOCAL_ARGS = {"shard", "num_shards", "resume_from", "output_dir", "clear_process_hours"}
# The harness's miniF2F copy carries a helper lemma from OpenAI's sources; its own
# compute_metrics.py leaves it out of the solve rate, and so do we.
_LLEMMA_HELPERS = ("sum_pairs",)


class ReportInputError(ValueError):
    """A results file the report cannot read; the message names the file and the problem."""


@dataclass
class Run:
    """One configuration's results, possibly from several files: every table row and curve is one run."""

    label: str
    config_id: str
    records: list[ResultRecord] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    source: str = "ours"  # or "llemma-harness"

    def _first(self, attr: str) -> str:
        return str(getattr(self.records[0], attr)) if self.records else ""

    @property
    def system(self) -> str:
        return self._first("system")

    @property
    def method(self) -> str:
        return self._first("method")

    @property
    def model(self) -> str:
        return self._first("model")

    @property
    def config(self) -> dict[str, Any]:
        return self.records[0].config if self.records else {}

    @property
    def splits(self) -> str:
        return ",".join(sorted({r.split for r in self.records if r.split})) or "-"

    def by_name(self) -> dict[str, ResultRecord]:
        return {r.name: r for r in self.records}


def is_llemma_file(path: Path) -> bool:
    """A single JSON object with a "results" list (ours are JSON lines of flat records)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    return isinstance(data, dict) and isinstance(data.get("results"), list)


def _llemma_config(path: Path, args: Any) -> tuple[str, str, dict[str, Any]]:
    """(model, config_id, config) of a harness file, the same for every shard of one run."""
    if isinstance(args, dict) and args:
        cfg = {k: v for k, v in args.items() if k not in _LLEMMA_RUN_LOCAL_ARGS}
        model = str(args.get("model_name", ""))
    else:
        m = re.match(r"results__(.+?)__\d+$", path.stem)
        model = m.group(1) if m else path.stem
        cfg = {"model_name": model, "args": "not recorded in the file"}
    return model, "llemma-" + config_id(cfg)[:8], cfg


def read_llemma(path: Path, warnings: list[str] | None = None) -> list[ResultRecord]:
    """Llemma harness output -> our records (status proved/failed, proof, expansions, seconds)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        items = data["results"]
    except (OSError, json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as e:
        raise ReportInputError(f"{path}: not a Llemma harness results file ({e})") from e
    model, cid, cfg = _llemma_config(path, data.get("args"))
    out: list[ResultRecord] = []
    skipped = []
    for i, item in enumerate(items):
        example = item.get("example") if isinstance(item, dict) else None
        if not isinstance(example, dict) or "full_name" not in example or "success" not in item:
            raise ReportInputError(
                f"{path}: results[{i}] lacks example.full_name or success (not Llemma's layout)"
            )
        name = str(example["full_name"])
        if any(h in name for h in _LLEMMA_HELPERS):
            skipped.append(name)
            continue
        attempts = [a for a in item.get("attempt_results") or [] if isinstance(a, dict)]
        won = next((a for a in attempts if a.get("success")), None)
        last = won or (attempts[-1] if attempts else {})
        proof = won.get("proof") if won else None
        out.append(
            ResultRecord(
                name=name,
                system="lean",
                status="proved" if item["success"] else "failed",
                split=str(example.get("split", "")),
                proof="\n".join(proof) if isinstance(proof, list) else proof,
                reason=str(last.get("failure_reason", "")),
                # "iteration" is the 0-based index of the expansion that closed the proof.
                expansions=int(won["iteration"]) + 1 if won and "iteration" in won else 0,
                # The harness stores elapsed as start - end, i.e. negative seconds.
                wall_seconds=abs(float(last.get("elapsed", 0.0) or 0.0)),
                method="llemma-harness",
                model=model,
                config=cfg,
                config_id=cid,
                extra={"file": path.name},
            )
        )
    if skipped and warnings is not None:
        warnings.append(
            f"{path}: left out {len(skipped)} helper lemma(s) that are not benchmark theorems "
            f"({', '.join(skipped)}), as the harness's own metrics do"
        )
    return out


def read_any(path: Path, warnings: list[str] | None = None) -> tuple[list[ResultRecord], str]:
    """Records of one file and which format it was in."""
    if not path.is_file():
        raise ReportInputError(f"results file {path} not found")
    if is_llemma_file(path):
        return read_llemma(path, warnings), "llemma-harness"
    return read_results(path), "ours"


def load_runs(paths: list[Path], warnings: list[str]) -> list[Run]:
    """Group every record by configuration digest; warn on files mixing digests, never merge them."""
    groups: dict[str, Run] = {}
    for path in map(Path, paths):
        records, source = read_any(path, warnings)
        if not records:
            warnings.append(f"{path}: no results")
            continue
        by_cfg: dict[str, list[ResultRecord]] = defaultdict(list)
        for r in records:
            by_cfg[r.config_id or "unknown"].append(r)
        if len(by_cfg) > 1:
            warnings.append(
                f"{path} mixes {len(by_cfg)} configurations ({', '.join(sorted(by_cfg))}); "
                "each is reported as its own run"
            )
        for cid, recs in by_cfg.items():
            run = groups.get(cid)
            if run is None:
                groups[cid] = Run("", cid, list(recs), [path], source)
                continue
            seen = {r.name for r in run.records}
            dup = [r.name for r in recs if r.name in seen]
            if dup:
                warnings.append(
                    f"{path}: {len(dup)} theorem(s) already in {run.paths[0]} with the same "
                    f"configuration {cid} (e.g. {dup[0]}); the first result is kept"
                )
            run.records += [r for r in recs if r.name not in seen]
            run.paths.append(path)
    runs = list(groups.values())
    _label(runs)
    return runs


def _label(runs: list[Run]) -> None:
    """Short unique labels: the file stem, or stem[config] when a file holds several runs."""
    per_path: dict[Path, int] = defaultdict(int)
    for run in runs:
        for p in run.paths:
            per_path[p] += 1
    for run in runs:
        first = run.paths[0]
        label = first.stem if run.source == "ours" else (first.parent.name or first.stem)
        if per_path[first] > 1:
            label += f"[{run.config_id}]"
        if len(run.paths) > 1:
            label += f" (+{len(run.paths) - 1} files)"
        run.label = label
    seen: dict[str, int] = defaultdict(int)
    for run in runs:
        seen[run.label] += 1
        if seen[run.label] > 1:
            run.label += f"#{seen[run.label]}"
