"""check_installation walks a Lean install stage by stage and names the fix for each gap.

Lean cannot be installed here, so the project folders are built by hand in tmp_path and
`lake` is an empty stand-in script: check_installation only looks at files (it must stay
cheap), which is exactly what these tests exercise.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from prover.assistants.base import Failed, Finished, Progress
from prover.assistants.lean import (
    AUDIT_BINARY,
    REPL_BINARY,
    check_installation,
    create_env,
    toolchain_dir,
)
from prover.assistants.lean.dojo import map_result
from prover.assistants.lean.env import LeanReplEnv, scope_lines

TOOLCHAIN = "leanprover/lean4:v4.24.0"


@pytest.fixture
def fake_install(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    lake = bin_dir / "lake"
    lake.write_text("#!/bin/sh\n# stand-in: never run, only found on PATH\nexit 1\n")
    lake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("ELAN_HOME", str(tmp_path / "elan"))
    (tmp_path / "elan" / "toolchains").mkdir(parents=True)
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "lean-toolchain").write_text(TOOLCHAIN + "\n")
    return proj


def test_stages_of_a_lean_install(fake_install, tmp_path):
    proj = fake_install
    assert "elan toolchain install leanprover/lean4:v4.24.0" in check_installation(proj)
    toolchain_dir(TOOLCHAIN).mkdir(parents=True)
    assert toolchain_dir(TOOLCHAIN).name == "leanprover--lean4---v4.24.0"
    assert "lake update" in check_installation(proj)
    (proj / "lake-manifest.json").write_text("{}")
    mathlib = proj / ".lake" / "packages" / "mathlib"
    mathlib.mkdir(parents=True)
    (mathlib / "lean-toolchain").write_text("leanprover/lean4:v4.9.0\n")
    assert "is for leanprover/lean4:v4.9.0" in check_installation(proj)
    (mathlib / "lean-toolchain").write_text(TOOLCHAIN + "\n")
    assert "lake exe cache get" in check_installation(proj)
    (mathlib / ".lake/build/lib/lean").mkdir(parents=True)
    (mathlib / ".lake/build/lib/lean/Mathlib.olean").write_bytes(b"")
    assert "lake build repl" in check_installation(proj)
    (proj / REPL_BINARY).parent.mkdir(parents=True)
    (proj / REPL_BINARY).write_bytes(b"")
    assert "lake build prover_audit" in check_installation(proj)
    (proj / AUDIT_BINARY).parent.mkdir(parents=True, exist_ok=True)
    (proj / AUDIT_BINARY).write_bytes(b"")
    assert check_installation(proj) is None


def test_no_lake_names_the_elan_installer(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("ELAN_HOME", str(tmp_path / "no-elan"))
    problem = check_installation()
    assert "elan-init.sh" in problem and "prover setup lean" in problem


def test_missing_project_says_where_to_point(tmp_path):
    assert "PROVER_LEAN_PROJECT" in check_installation(tmp_path / "nowhere")


def test_create_env_builds_the_lake_env_command(fake_install):
    env = create_env(project_dir=fake_install, repl_path="/opt/repl", memory_cap_gb=4)
    assert isinstance(env, LeanReplEnv)
    assert env.command[1:] == ["env", "/opt/repl"] and Path(env.command[0]).name == "lake"
    assert env.cwd == str(fake_install) and env.memory_gb == 4
    default = create_env(project_dir=fake_install)
    assert default.command[-1] == str(fake_install / REPL_BINARY)
    with pytest.raises(ValueError, match="repl or dojo"):
        create_env(backend="lsp")
    env.close()
    default.close()


def test_scope_lines_are_the_ones_pickling_loses():
    header = "import Mathlib\nset_option maxHeartbeats 0\nopen BigOperators Real Nat Topology Rat\n"
    assert (
        scope_lines(header) == "set_option maxHeartbeats 0\nopen BigOperators Real Nat Topology Rat"
    )
    assert scope_lines("import Mathlib\ndef f := 1") == ""


class TacticState:
    """Stand-in for lean_dojo.TacticState (the package is not installed here): same fields."""

    def __init__(self, pp: str):
        self.pp = pp


class ProofFinished:
    """Stand-in for lean_dojo.ProofFinished."""


class LeanError:
    """Stand-in for lean_dojo.LeanError."""

    def __init__(self, error: str):
        self.error = error


class ProofGivenUp:
    """Stand-in for lean_dojo.ProofGivenUp."""


def test_leandojo_results_map_onto_the_seam():
    open_ = map_result(TacticState("x : ℕ\n⊢ x = x\n\ny : ℕ\n⊢ y = y"))
    assert isinstance(open_, Progress) and open_.state.goals == (
        "x : ℕ\n⊢ x = x",
        "y : ℕ\n⊢ y = y",
    )
    assert isinstance(map_result(ProofFinished()), Finished)
    err = map_result(LeanError("unknown identifier 'h'"))
    assert isinstance(err, Failed) and err.message == "unknown identifier 'h'"
    assert isinstance(map_result(ProofGivenUp()), Failed)
    assert isinstance(map_result(object()), Failed)


def test_leandojo_missing_is_a_clear_error():
    try:
        import lean_dojo  # noqa: F401

        pytest.skip("lean_dojo is installed: this test is for machines without it")
    except ImportError:
        pass
    from prover.assistants.base import ToolchainMissing
    from prover.theorem import Theorem

    env = create_env(backend="dojo")
    with pytest.raises(ToolchainMissing, match="LeanDojo is not installed"):
        env.open(Theorem("t", "lean", "theorem t : True := by", split="test"))


def test_header_pickled_once_then_unpickled_with_scope_lines_rerun(tmp_path, monkeypatch):
    """Two workers share a header cache: the first elaborates and pickles, the second unpickles."""
    import json
    import sys

    from prover.theorem import Theorem

    log = tmp_path / "requests.jsonl"
    monkeypatch.setenv("PROTOCOL_REPL_LOG", str(log))
    stand_in = [sys.executable, str(Path(__file__).with_name("protocol_repl.py"))]
    header = "import Mathlib\nset_option maxHeartbeats 0\nopen Real Nat"
    thm = Theorem("t", "lean", "theorem t (x : ℝ) : x = x := by", header)
    cache = tmp_path / "cache"

    first = LeanReplEnv(command=stand_in, memory_gb=None, header_cache=str(cache))
    assert first.open(thm).goals == ("⊢ x = x",)
    first.open(thm)  # the second theorem in the same process reuses the header env
    first.close()
    sent = [json.loads(line) for line in log.read_text().splitlines()]
    assert [next(iter(r)) for r in sent] == ["cmd", "pickleTo", "cmd", "cmd"]
    assert sent[0] == {"cmd": header} and sent[2]["env"] == sent[3]["env"] == 0
    assert [p.suffix for p in cache.iterdir()] == [".olean"]  # renamed from its .tmp name

    log.unlink()
    second = LeanReplEnv(command=stand_in, memory_gb=None, header_cache=str(cache))
    assert second.open(thm).goals == ("⊢ x = x",)
    second.close()
    sent = [json.loads(line) for line in log.read_text().splitlines()]
    assert sent[0] == {"unpickleEnvFrom": str(next(cache.iterdir()))}
    assert sent[1] == {"cmd": "set_option maxHeartbeats 0\nopen Real Nat", "env": 0}
    assert sent[2] == {"cmd": "theorem t (x : ℝ) : x = x := by sorry", "env": 1}


@pytest.mark.skipif(
    importlib.util.find_spec("lean_dojo") is None,
    reason="lean-dojo is not installed (pip install -e '.[lean]'); it also traces the repository",
)
def test_live_leandojo_runs_a_tactic(data_dir):
    from prover.datasets import load_benchmark, select

    t = select(load_benchmark("minif2f-lean4", "test", data_dir), ["mathd_algebra_478"])[0]
    env = create_env(backend="dojo")
    try:
        root = env.open(t)
        assert root.goals and "v = 65" in root.goals[-1]
        assert isinstance(env.run_tactic(root, "norm_num [h₁, h₂, h₃]"), Finished)
    finally:
        env.close()
