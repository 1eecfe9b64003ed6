"""Every shared transcript of the real Lean REPL parses through the client into the right typed results."""

from __future__ import annotations

from prover.assistants.lean.repl import (
    CommandResponse,
    ErrorResponse,
    LeanRepl,
    TacticResponse,
    parse_response,
)
from tests.lean.conftest import replay_command
from tests.lean.replay_repl import objects


def check_typed(resp, expected: dict) -> None:
    if "proofState" in expected:
        assert isinstance(resp, TacticResponse)
        assert resp.proof_state == expected["proofState"]
        assert list(resp.goals) == expected.get("goals", [])
        assert resp.proof_status == expected.get("proofStatus")
        assert resp.completed == (expected.get("proofStatus") == "Completed")
        assert list(resp.traces) == expected.get("traces", [])
        assert [s.proof_state for s in resp.sorries] == [
            s.get("proofState") for s in expected.get("sorries", [])
        ]
    elif "env" in expected:
        assert isinstance(resp, CommandResponse)
        assert resp.env == expected["env"]
        assert [s.proof_state for s in resp.sorries] == [
            s.get("proofState") for s in expected.get("sorries", [])
        ]
        assert [s.goal for s in resp.sorries] == [
            s.get("goal") for s in expected.get("sorries", [])
        ]
        assert list(resp.tactics) == expected.get("tactics", [])
        assert resp.infotree == expected.get("infotree")
    else:
        assert isinstance(resp, ErrorResponse) and resp.message == expected["message"]
    msgs = expected.get("messages", [])
    got = getattr(resp, "messages", ())
    assert [(m.severity, m.data) for m in got] == [(m["severity"], m["data"]) for m in msgs]
    assert [m.pos.line if m.pos else None for m in got] == [
        m["pos"]["line"] if m.get("pos") else None for m in msgs
    ]


def test_every_transcript_parses_into_typed_results(transcripts):
    total = 0
    shapes: set[str] = set()
    for path in transcripts:
        requests = objects(path.read_text(encoding="utf-8"))
        expected = objects(path.with_suffix(".expected.out").read_text(encoding="utf-8"))
        repl = LeanRepl(replay_command(path), memory_gb=None)
        try:
            for req, exp in zip(requests, expected, strict=True):
                resp = repl.request(req, timeout=30)
                assert not (
                    isinstance(resp, ErrorResponse) and resp.message.startswith("replay:")
                ), (path, resp)
                check_typed(resp, exp)
                total += 1
                kind = type(resp).__name__
                if isinstance(resp, TacticResponse) and resp.traces:
                    kind = "traces"
                shapes.add(kind)
        finally:
            repl.close()
    assert total > 150
    # the recordings cover every answer shape the client must tell apart
    assert len(shapes) == 4, shapes


def test_known_answers(data_dir):
    root = data_dir / "lean-repl-transcripts-v4.24.0"
    repl = LeanRepl(replay_command(root / "unknown_proof_state.in"), memory_gb=None)
    reqs = objects((root / "unknown_proof_state.in").read_text())
    first = repl.request(reqs[0], 30)
    assert isinstance(first, CommandResponse) and first.sorries[0].goal == "⊢ Nat"
    assert any("sorry" in m.data for m in first.messages)
    second = repl.request(reqs[1], 30)
    assert isinstance(second, ErrorResponse) and "nknown proof" in second.message
    repl.close()


def test_specific_recorded_fields(data_dir):
    root = data_dir / "lean-repl-transcripts-v4.24.0"
    path = root / "proof_branching.in"
    repl = LeanRepl(replay_command(path), memory_gb=None)
    reqs = objects(path.read_text())
    cmd = repl.request(reqs[0], 30)
    assert isinstance(cmd, CommandResponse) and cmd.env == 0
    assert cmd.sorries[0].proof_state == 0 and cmd.sorries[0].goal.endswith("⊢ p ∧ r")
    assert cmd.sorries[0].pos.column == 75 and cmd.messages[0].severity == "warning"
    first = repl.request(reqs[1], 30)
    assert isinstance(first, TacticResponse) and first.proof_state == 1
    assert [g.split("\n")[0] for g in first.goals] == ["case left", "case right"]
    assert first.proof_status == "Incomplete: open goals remain" and not first.completed
    for req in reqs[2:]:
        last = repl.request(req, 30)
    assert last.proof_state == 4 and last.goals == () and last.completed
    repl.close()


def test_client_sends_what_the_replay_recorded(data_dir):
    # A request the recording does not have is answered with a replay error, not a fake result.
    root = data_dir / "lean-repl-transcripts-v4.24.0"
    repl = LeanRepl(replay_command(root / "proof_branching.in"), memory_gb=None)
    resp = repl.request({"cmd": "theorem other : True := by sorry"}, 30)
    assert isinstance(resp, ErrorResponse) and resp.message.startswith("replay:")
    repl.close()


def test_unknown_answer_shape_is_an_error_response():
    assert isinstance(parse_response({"unexpected": 1}), ErrorResponse)
    both = parse_response({"message": "Unknown proof State."})  # the other spelling
    assert isinstance(both, ErrorResponse) and both.message == "Unknown proof State."
