"""Ctrl-C and kill -9 in the middle of a real batch: finished results stay, the same command
resumes, and a killed batch leaves no worker or proof assistant behind."""

from __future__ import annotations

import json
import os
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


def eval_command(tmp_path, out, *extra: str) -> list[str]:
    """`prover eval` of the portfolio on the benchmark written under tmp_path/data."""
    data = ["--benchmark", "minif2f-rocq", "--data-dir", str(tmp_path / "data")]
    return [
        sys.executable,
        "-m",
        "prover",
        "eval",
        *data,
        "--method",
        "portfolio",
        *extra,
        "--out",
        str(out),
    ]


def test_sigint_keeps_finished_results_and_resume_skips_them(tmp_path):
    write_benchmark(tmp_path / "data", 40)
    out = tmp_path / "r.jsonl"
    cmd = eval_command(tmp_path, out)
    # A foreground process at a terminal gets Ctrl-C; a job started in the background by a
    # non-interactive shell (a CI runner, `cmd &`) inherits SIGINT *ignored*, and Python then
    # installs no KeyboardInterrupt handler. Give the child the terminal's default disposition.
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
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


def descendants(pid: int) -> dict[int, str]:
    """Every live process below `pid` (from /proc), with its command name."""
    children: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
        names[int(entry)] = name
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found[child] = names[child]
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_kill_9_of_a_pool_run_leaves_no_worker_or_coqtop_behind(tmp_path):
    write_benchmark(tmp_path / "data", 40)
    out = tmp_path / "r.jsonl"
    cmd = eval_command(tmp_path, out, "--workers", "2")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    family: dict[int, str] = {}
    while time.monotonic() < deadline:
        family = descendants(proc.pid)
        if sum(name.startswith("coqtop") for name in family.values()) >= 2:
            break
        time.sleep(0.2)
    assert sum(name.startswith("coqtop") for name in family.values()) >= 2, family
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(alive(p) for p in family):
        time.sleep(0.2)
    left = {p: n for p, n in family.items() if alive(p)}
    assert not left, f"still running after kill -9 of the batch: {left}"
