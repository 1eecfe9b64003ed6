"""Child processes: a command's forked helpers neither delay its result nor outlive it."""

from __future__ import annotations

import os
import time

from prover.process import group_members, kill_strays, run_in_session


def _alive(pid: int, grace: float = 5.0) -> bool:
    """Whether `pid` still runs after `grace` seconds (SIGKILL lands asynchronously)."""
    deadline = time.time() + grace
    while time.time() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return False
        except OSError:
            return False
        time.sleep(0.05)
    return True


def test_run_in_session_does_not_wait_for_helpers_and_kills_them():
    t0 = time.perf_counter()
    code, out = run_in_session(["sh", "-c", "sleep 60 & echo helper $!; echo done"], timeout=30)
    assert code == 0 and "done" in out
    assert time.perf_counter() - t0 < 20  # not the helper's 60 s
    helper = int(out.split("helper ")[1].split()[0])
    assert not _alive(helper)


def test_run_in_session_timeout_reports_none_and_kills_the_command():
    code, out = run_in_session(["sh", "-c", "echo $$; exec sleep 60"], timeout=1)
    assert code is None
    assert not _alive(int(out.split()[0]))


def test_kill_strays_spares_the_leader():
    import subprocess

    from prover.process import child_setup

    leader = subprocess.Popen(["sh", "-c", "sleep 60 & sleep 60 & wait"], preexec_fn=child_setup())
    try:
        deadline = time.time() + 10
        while len(group_members(leader.pid)) < 3 and time.time() < deadline:
            time.sleep(0.05)
        assert len(group_members(leader.pid)) == 3
        assert kill_strays(leader.pid) == 2
        leader.wait(timeout=10)  # its `wait` returns once both sleeps are dead
        assert leader.returncode == 0
    finally:
        if leader.poll() is None:
            os.killpg(leader.pid, 9)
            leader.wait()
