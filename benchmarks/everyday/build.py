"""Write the everyday set (theorems/*.v) as a benchmark folder that `prover eval --data-dir`
reads: OUT/minif2f-rocq/minif2f.jsonl, every record in the valid split.

    python benchmarks/everyday/build.py runs/everyday
"""

from __future__ import annotations

import sys
from pathlib import Path

from prover.datasets.jsonl import write_jsonl
from prover.datasets.minif2f_rocq import parse_v_file

THEOREMS = Path(__file__).parent / "theorems"


def records() -> list[dict]:
    """One record per .v file: its header and statement (the proof after `Proof.` is left out)."""
    out = []
    for path in sorted(THEOREMS.glob("*.v")):
        rec = parse_v_file(path.read_text(encoding="utf-8"), "valid", f"everyday/{path.name}")
        if rec is None:
            raise SystemExit(f"{path}: no Theorem or Lemma in it")
        out.append(rec)
    return out


def main(out_dir: str) -> None:
    recs = records()
    path = write_jsonl(Path(out_dir) / "minif2f-rocq" / "minif2f.jsonl", recs)
    print(f"{len(recs)} theorems -> {path}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python benchmarks/everyday/build.py OUT_DIR")
    main(sys.argv[1])
