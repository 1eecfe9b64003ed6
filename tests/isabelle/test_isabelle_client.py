"""The Isabelle server client against the protocol stand-in (see standin_server.py)."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

from prover.assistants.isabelle.client import IsabelleError, IsabelleServer, parse_use_theories
from prover.assistants.isabelle.env import IsabelleEnv
from tests.isabelle.isabelle_support import STANDIN, TOY


def test_checks_theories_reads_errors_with_lines_and_purges(standin):
    env, control = standin
    control.configure(accept=["auto"])
    ok = env.check(TOY, "by auto")
    assert ok.ok and not ok.errors and not ok.timed_out
    bad = env.check(TOY, "by simp")
    assert not bad.ok
    assert bad.errors[0].text == "Failed to finish proof" and bad.errors[0].line == 8
    assert bad.first_error() == "line 8: Failed to finish proof"
    commands = control.commands()
    assert commands[0] == "session_start"
    # Every check is followed by a purge, so the next check starts clean.
    assert commands[1:] == ["use_theories", "purge_theories"] * 2


def test_check_theory_takes_the_name_from_the_theory_line(standin):
    env, control = standin
    control.configure(accept=["simp"])
    text = 'theory Scratch_1 imports Main\nbegin\nlemma "True"\n  by simp\nend\n'
    assert env.check_theory(text, 5).ok
    with pytest.raises(ValueError, match="no `theory NAME` line"):
        env.check_theory("lemma x: True by simp", 5)


def test_timeout_cancels_the_task_and_the_server_stays_usable(standin):
    env, control = standin
    control.configure(accept=["auto"])
    t0 = time.monotonic()
    slow = env.check(TOY, "by auto (* HANG *)", timeout=1)
    assert slow.timed_out and not slow.ok and "timeout" in slow.first_error()
    assert time.monotonic() - t0 < 5
    assert "cancel" in control.commands()
    assert env.check(TOY, "by auto").ok


def test_recovers_from_a_dead_server_and_a_lost_session(standin):
    env, control = standin
    control.configure(accept=["auto"])
    assert env.check(TOY, "by auto").ok
    # Someone stops our session behind our back: the client starts a new one and retries.
    old = env.server.session_id
    env.server._run("session_stop", {"session_id": old}, 10)
    assert env.check(TOY, "by auto").ok
    assert env.server.session_id != old and env.server.restarts == 1
    # The server process dies: the client launches a new one.
    env.server._process.kill()
    env.server._process.wait()
    assert env.check(TOY, "by auto").ok
    assert env.server.restarts == 2 and env.server._process.poll() is None


def test_connects_by_port_and_password_and_rejects_a_wrong_password(tmp_path):
    config = tmp_path / "config.json"
    config.write_text('{"accept": ["auto"]}')
    proc = subprocess.Popen(
        [sys.executable, str(STANDIN), str(config)], stdout=subprocess.PIPE, text=True
    )
    try:
        m = re.match(r'server ".*" = (.*):(\d+) \(password "(.*)"\)', proc.stdout.readline())
        assert m
        address, port, password = m.group(1), int(m.group(2)), m.group(3)
        env = IsabelleEnv(IsabelleServer(address=address, port=port, password=password))
        assert env.check(TOY, "by auto").ok
        env.close()
        wrong = IsabelleServer(address=address, port=port, password="wrong")
        with pytest.raises(IsabelleError, match="refused the password"):
            wrong.connect()
        wrong.close()
    finally:
        proc.kill()
        proc.wait()


def test_unreachable_server_is_a_clear_error():
    server = IsabelleServer(address="127.0.0.1", port=1, password="x")
    with pytest.raises(IsabelleError, match="cannot reach the Isabelle server"):
        server.connect()
    server.close()


def test_missing_server_command_says_how_to_install():
    from prover.assistants.base import ToolchainMissing

    server = IsabelleServer(server_command=["no-such-isabelle-binary", "server"])
    with pytest.raises(ToolchainMissing, match="prover setup isabelle"):
        server.connect()
    server.close()


def test_unconsolidated_node_counts_as_timeout():
    body = {
        "ok": False,
        "errors": [],
        "nodes": [{"messages": [], "status": {"ok": True, "failed": 0, "consolidated": False}}],
    }
    r = parse_use_theories(body)
    assert not r.ok and r.timed_out
    failed = {
        "ok": False,
        "errors": [],
        "nodes": [
            {
                "messages": [{"kind": "error", "message": "Bad", "pos": {"line": 3}}],
                "status": {"failed": 1, "consolidated": True},
            }
        ],
    }
    r = parse_use_theories(failed)
    assert not r.ok and not r.timed_out and r.errors[0].line == 3
