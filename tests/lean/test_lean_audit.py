"""The Lean verdict's compile-and-replay audit (prover.assistants.lean.audit).

Lean cannot be installed here, so the compiler and the audit program are played by a named
STAND-IN (tests/lean/standin_lean.py) that speaks the audit program's real output format;
`decide` and `parse_report` are tested on their own; the live test at the end builds and
runs the real `prover_audit` where `lake` and the project's Lean are installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from prover.assistants.base import Status
from prover.assistants.lean import check_installation, create_env, project_dir_default
from prover.assistants.lean.audit import AuditReport, KernelChecker, decide, parse_report
from prover.theorem import Theorem

STANDIN = Path(__file__).parent / "standin_lean.py"
HEADER = "import Mathlib\n\nset_option maxHeartbeats 0\n\nopen BigOperators Real Nat Topology Rat"
STATEMENT = "theorem t (x : ℝ) (h₀ : 3 * x + 2 = 11) : x = 3 := by"
THEOREM = Theorem("t", "lean", STATEMENT, HEADER)
GOOD = {
    "theorem": "t",
    "kind": "theorem",
    "replayed": 1,
    "type_matches": True,
    "level_params_match": True,
    "imports_match": True,
    "axioms": ["propext", "Classical.choice", "Quot.sound"],
    "unsafe_constants": [],
    "error": None,
}


def report(**changes) -> AuditReport:
    return parse_report(json.dumps(GOOD | changes))


def standin(tmp_path, monkeypatch, **cfg) -> tuple[KernelChecker, Path]:
    (tmp_path / "standin.json").write_text(json.dumps(cfg), encoding="utf-8")
    monkeypatch.setenv("STANDIN_LEAN_CONFIG", str(tmp_path / "standin.json"))
    monkeypatch.setenv("STANDIN_LEAN_LOG", str(tmp_path / "calls.jsonl"))
    checker = KernelChecker(
        [sys.executable, str(STANDIN), "compile"],
        [sys.executable, str(STANDIN), "audit"],
        timeout=20,
    )
    return checker, tmp_path / "calls.jsonl"


def calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


# --- the decision on the audit's facts --------------------------------------------------------
def test_decide_accepts_only_when_every_fact_holds():
    assert decide(report(), "t", False).ok
    native = report(axioms=["propext", "Lean.ofReduceBool"])
    assert not decide(native, "t", False).ok
    assert decide(native, "t", True).status is Status.NATIVE_DECIDE
    for changes, reason in [
        ({"error": "kernel replay: (kernel) declaration has metavariables"}, "kernel replay"),
        ({"theorem": "X.t"}, "not on 't'"),
        ({"replayed": 0}, "replayed no"),
        ({"unsafe_constants": ["cheat"]}, "unsafe"),
        ({"kind": "def"}, "not a theorem"),
        ({"kind": ""}, "missing declaration"),
        ({"imports_match": False}, "imports"),
        ({"type_matches": False}, "type is not"),
        ({"level_params_match": False}, "type is not"),
        ({"axioms": ["propext", "sorryAx"]}, "sorryAx"),
        ({"axioms": ["Cheat.propext"]}, "Cheat.propext"),
        ({"axioms": ["propext", "cheat"]}, "beyond propext"),
    ]:
        v = decide(report(**changes), "t", True)
        assert not v.ok and reason in v.reason, (changes, v.reason)


@pytest.mark.parametrize(
    "stdout",
    [
        "",
        json.dumps(GOOD) + "\n" + json.dumps(GOOD),  # a second answer: someone else wrote
        "verdict: ok",
        json.dumps([GOOD]),
        json.dumps(GOOD | {"replayed": True}),
        json.dumps({k: v for k, v in GOOD.items() if k != "axioms"}),
        json.dumps(GOOD | {"axioms": [1]}),
        json.dumps(GOOD | {"error": 3}),
    ],
)
def test_parse_report_fails_closed(stdout):
    with pytest.raises(ValueError):
        parse_report(stdout)


# --- the process layout, through the stand-in -------------------------------------------------
def test_honest_proof_compiles_twice_then_is_audited_by_a_separate_process(tmp_path, monkeypatch):
    checker, log = standin(tmp_path, monkeypatch)
    v = checker.verify(THEOREM, "  linarith", "t")
    assert v.ok and v.axioms == ("propext", "Classical.choice", "Quot.sound"), v.reason
    ran = calls(log)
    assert [c["args"][0] for c in ran] == ["compile", "compile", "audit"]
    assert ran[0]["args"][1] == "-R" and ran[0]["args"][3] == "-o"
    ref_out, ref_src = ran[0]["args"][4], ran[0]["args"][5]
    proof_out = ran[1]["args"][4]
    assert ran[0]["args"][2] == str(Path(ref_src).parent)
    assert ref_src.endswith("reference/Reference.lean") and proof_out.endswith("proof/Proof.olean")
    assert ran[2]["args"][1:] == [proof_out, ref_out, "t"]
    assert len({c["pid"] for c in ran}) == 3  # three processes: the audit runs none of the proof
    assert not Path(ref_out).exists()  # the scratch folder is gone


def test_what_the_proof_prints_never_reaches_the_verdict(tmp_path, monkeypatch):
    fake = json.dumps(GOOD)  # a clean audit answer, printed by the proof's own code
    checker, _ = standin(
        tmp_path,
        monkeypatch,
        compile_output=f"{fake}\n'{THEOREM.name}' does not depend on any axioms",
        report={"error": "kernel replay: (kernel) declaration has metavariables 'cheat'"},
    )
    v = checker.verify(THEOREM, "  linarith", "t")
    assert not v.ok and "kernel replay refused" in v.reason, v.reason


def test_compile_error_is_a_rejection_with_leans_message(tmp_path, monkeypatch):
    err = "proof/Proof.lean:8:2: error: linarith failed to find a contradiction"
    checker, log = standin(tmp_path, monkeypatch, compile_exit=1, compile_output=err)
    v = checker.verify(THEOREM, "  linarith", "t")
    assert not v.ok and "Lean rejected the proof" in v.reason and "linarith failed" in v.reason
    assert [c["args"][0] for c in calls(log)] == ["compile", "compile"]  # no audit after it
    checker, log = standin(tmp_path, monkeypatch, reference_exit=1, compile_output=err)
    v = checker.verify(THEOREM, "  linarith", "t")
    assert not v.ok and "reference statement does not compile" in v.reason, v.reason


def test_reference_changed_by_the_proof_is_a_rejection(tmp_path, monkeypatch):
    checker, log = standin(tmp_path, monkeypatch, tamper_reference=True)
    v = checker.verify(THEOREM, "  linarith", "t")
    assert not v.ok and "reference .olean changed" in v.reason, v.reason
    assert [c["args"][0] for c in calls(log)] == ["compile", "compile"]


@pytest.mark.parametrize(
    ("cfg", "reason"),
    [
        ({"audit_raw": "not json"}, "not JSON"),
        ({"audit_raw": json.dumps(GOOD) + "\n" + json.dumps(GOOD)}, "2 lines"),
        ({"audit_exit": 1}, "audit failed"),
        ({"audit_sleep": 30}, "timed out"),
    ],
)
def test_an_audit_that_misbehaves_is_a_rejection(tmp_path, monkeypatch, cfg, reason):
    checker, _ = standin(tmp_path, monkeypatch, **cfg)
    checker.timeout = 5 if "audit_sleep" in cfg else checker.timeout
    v = checker.verify(THEOREM, "  linarith", "t")
    assert not v.ok and reason in v.reason, v.reason


def test_env_verify_uses_the_kernel_check_and_not_the_repl(tmp_path, monkeypatch):
    standin(tmp_path, monkeypatch)
    env = create_env(
        repl_command=[sys.executable, "-c", "raise SystemExit('the REPL must not run')"],
        compile_command=[sys.executable, str(STANDIN), "compile"],
        audit_command=[sys.executable, str(STANDIN), "audit"],
        memory_cap_gb=None,
        command_timeout=20,
    )
    try:
        assert env.verify(THEOREM, "  linarith").ok
        refused = env.verify(THEOREM, "  exact 1run_tac pure ()")
        assert not refused.ok and "run_tac" in refused.reason
        decoy = Theorem("t", "lean", STATEMENT.replace("x = 3", "True"), HEADER)
        # The stand-in compares the reference's statement with the proof file's, as the real
        # audit compares types: a proof of another statement is not the theorem.
        checker = KernelChecker(env.compile_command, env.audit_command, timeout=20)
        assert not checker.verify(decoy, "  trivial", "t", reference=THEOREM).ok
    finally:
        env.close()


LIVE = pytest.mark.skipif(
    shutil.which("lake") is None or check_installation() is not None,
    reason="Lean is not installed here (or lean/ is not built); run `prover setup lean`",
)


@LIVE
def test_live_kernel_replay_rejects_an_unchecked_declaration_and_accepts_an_honest_proof():
    """Past the filter (KernelChecker is called directly), a metaprogram adds `False` with the
    kernel check skipped; the replay in the separate process must refuse it."""
    proj = project_dir_default()
    build = subprocess.run(
        ["lake", "build", "prover_audit"], cwd=proj, capture_output=True, text=True
    )
    assert build.returncode == 0, build.stderr[-2000:]
    env = create_env()
    checker = KernelChecker(env.compile_command, env.audit_command, str(proj), timeout=900)
    env.close()
    header = "import Lean"
    honest = Theorem("t", "lean", "theorem t : 1 + 1 = 2 := by", header)
    assert checker.verify(honest, "  rfl", "t").ok
    cheat_header = header + (
        "\nopen Lean in\nrun_elab modifyEnv fun env => Id.run do\n"
        "  let decl := .thmDecl { name := `cheat, levelParams := [], "
        "type := .const ``False [], value := .const ``False [] }\n"
        "  match env.addDeclCore (doCheck := false) 0 decl none with\n"
        "  | .ok env => env\n  | .error _ => env"
    )
    cheat = Theorem("t", "lean", "theorem t : 1 = 2 := by", cheat_header)
    v = checker.verify(cheat, "  exact cheat.elim", "t")
    assert not v.ok, v


def test_prover_check_states_native_decide_on_the_verdict_line(tmp_path, monkeypatch):
    """`prover check FILE.lean` end to end, the toolchain played by the stand-in."""
    from typer.testing import CliRunner

    import prover.assistants.lean
    from prover.cli import app

    standin(tmp_path, monkeypatch, report={"axioms": ["propext", "Lean.ofReduceBool"]})
    monkeypatch.setattr(prover.assistants.lean, "check_installation", lambda *a: None)
    real_create_env = prover.assistants.lean.create_env

    def create_env_with_standin(**options):
        options["compile_command"] = [sys.executable, str(STANDIN), "compile"]
        options["audit_command"] = [sys.executable, str(STANDIN), "audit"]
        return real_create_env(**options, command_timeout=20)

    monkeypatch.setattr(prover.assistants.lean, "create_env", create_env_with_standin)
    path = tmp_path / "t.lean"
    path.write_text(f"{HEADER}\n\n{STATEMENT}\n  native_decide\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "verdict: accepted (uses native_decide: trusts the compiler)" in result.output
    assert "Lean.ofReduceBool" in result.output
    standin(tmp_path, monkeypatch, report={"type_matches": False})
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 1 and "verdict: rejected" in result.output, result.output


def test_the_audit_program_prints_the_keys_parse_report_reads():
    """The stand-in and the real program must speak one format: the JSON keys
    lean/ProverAudit/Main.lean prints are the ones parse_report requires (and `error`)."""
    from prover.assistants.lean.audit import _FIELDS

    source = (Path(__file__).parents[2] / "lean" / "ProverAudit" / "Main.lean").read_text()
    printed = re.findall(r'\("(\w+)", toJson', source)
    assert sorted(printed) == sorted([*_FIELDS, "error"])
    assert sorted(GOOD) == sorted(printed)
    # One line on stdout, nothing else: the program prints only the report.
    assert source.count("IO.println") == 1 and "enableInitializersExecution" not in source
    lakefile = (Path(__file__).parents[2] / "lean" / "lakefile.toml").read_text()
    assert 'name = "prover_audit"' in lakefile and 'root = "ProverAudit.Main"' in lakefile
    assert "da26eb05e9959402afcb9bd6dfe5dc4f700f70d6" in lakefile  # lean4checker v4.24.0
