"""Child processes: a command's helpers neither delay its result nor outlive it."""

from __future__ import annotations

import os
import subprocess
import time

from prover.assistants.process import TAG_VARIABLE, kill_strays, new_tag, run_in_session, tagged


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


def test_kill_strays_finds_orphans_in_other_sessions_and_spares_the_leader():
    """What hammer does: a helper in a session of its own whose parent has already exited."""
    tag = new_tag()
    leader = subprocess.Popen(
        ["sh", "-c", "setsid sh -c 'sleep 60 & echo $! > pid; wait' & exec sleep 60"],
        env={**os.environ, TAG_VARIABLE: tag},
        cwd=os.environ.get("TMPDIR", "/tmp"),
    )
    pidfile = os.path.join(os.environ.get("TMPDIR", "/tmp"), "pid")
    try:
        deadline = time.time() + 10
        while len(tagged(tag)) < 3 and time.time() < deadline:
            time.sleep(0.05)
        assert leader.pid in tagged(tag)
        assert kill_strays(tag, spare=leader.pid) == 2  # the setsid shell and its sleep
        with open(pidfile) as f:
            assert not _alive(int(f.read()))
        assert leader.poll() is None
        deadline = time.time() + 5  # SIGKILL lands asynchronously
        while tagged(tag) != [leader.pid] and time.time() < deadline:
            time.sleep(0.05)
        assert tagged(tag) == [leader.pid]
    finally:
        leader.kill()
        leader.wait()
        kill_strays(tag)
