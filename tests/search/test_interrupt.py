"""Ctrl-C in the middle of a real batch: finished results stay, the same command resumes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time


def write_benchmark(root, n: int) -> None:
    folder = root / "minif2f-rocq"
    folder.mkdir(parents=True)
    with (folder / "minif2f.jsonl").open("w") as f:
        for i in range(n):
            f.write(
                json.dumps(
                    {
                        "name": f"t{i}",
                        "split": "test",
                        "header": "Require Import Arith Lia.",
                        "formal_statement": f"Theorem t{i} : forall n : nat, n + {i} = {i} + n.",
                    }
                )
                + "\n"
            )


def test_sigint_keeps_finished_results_and_resume_skips_them(tmp_path):
    write_benchmark(tmp_path / "data", 40)
    out = tmp_path / "r.jsonl"
    cmd = [
        sys.executable,
        "-m",
        "prover",
        "eval",
        "--benchmark",
        "minif2f-rocq",
        "--data-dir",
        str(tmp_path / "data"),
        "--method",
        "portfolio",
        "--out",
        str(out),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not out.exists() or out.read_text().count("\n") < 2):
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr[-2000:]
    assert "interrupted" in stderr and "resume" in stderr
    done = [json.loads(line) for line in out.read_text().splitlines()]
    assert 2 <= len(done) < 40 and all(r["status"] == "proved" for r in done)
    again = subprocess.run(
        cmd + ["--limit", str(len(done) + 1)], capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0, again.stderr[-2000:]
    assert f"{len(done)} theorem(s) were already in the results file" in again.stderr
    assert len(out.read_text().splitlines()) == len(done) + 1
