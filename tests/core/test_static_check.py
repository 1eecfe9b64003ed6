"""`prover check FILE --static`: each exit code on each assistant, on real files written here
from the benchmark records, with no proof assistant on PATH (the stage must not need one)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from prover.cli import app
from prover.datasets import load_benchmark, select

runner = CliRunner()
NAME = "mathd_algebra_10"  # present in all three benchmarks


@pytest.fixture
def no_toolchains(tmp_path, monkeypatch, data_dir):
    """No coqc, lake or isabelle reachable: --static must still answer."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("ELAN_HOME", str(tmp_path / "no-elan"))
    monkeypatch.setenv("PROVER_DATA_DIR", str(data_dir))


def record(benchmark: str, data_dir):
    return select(load_benchmark(benchmark, "all", data_dir), [NAME])[0]


def static(path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["check", str(path), "--static", *extra])
    return result.exit_code, " ".join(result.output.split())


def lean_file(tmp_path, data_dir, proof: str, header: str | None = None, statement=None):
    t = record("minif2f-lean4", data_dir)
    path = tmp_path / f"{NAME}.lean"
    text = f"{t.header if header is None else header}\n\n{statement or t.statement}\n{proof}\n"
    path.write_text(text, encoding="utf-8")
    return path


def coq_file(tmp_path, data_dir, proof: str, trailer: str = ""):
    t = record("minif2f-rocq", data_dir)
    path = tmp_path / f"{NAME}.v"
    path.write_text(f"{t.header}\n\n{t.statement}\nProof.\n{proof}\n{trailer}", encoding="utf-8")
    return path


def isabelle_file(tmp_path, data_dir, proof: str, statement: str | None = None):
    t = record("minif2f-isabelle", data_dir)
    path = tmp_path / f"{NAME}.thy"
    path.write_text(f"{t.header}\n\n{statement or t.statement}\n{proof}\n\nend\n", encoding="utf-8")
    return path


# --- Lean ------------------------------------------------------------------------------------
def test_lean_honest_passes_and_says_it_is_not_a_verdict(tmp_path, data_dir, no_toolchains):
    path = lean_file(tmp_path, data_dir, "  norm_num")
    code, out = static(path, "--benchmark", "minif2f-lean4")
    assert code == 0, out
    assert "NOT a verdict" in out and f"theorem: {NAME}" in out
    # Item 4 of the issue: the honest forms pass.
    path = lean_file(
        tmp_path, data_dir, "  open scoped Real in\n  set_option maxRecDepth 10000 in\n  norm_num"
    )
    assert static(path, "--benchmark", "minif2f-lean4")[0] == 0


@pytest.mark.parametrize(
    "proof",
    [
        "  exact 1run_tac pure ()",
        '  norm_num\n  have := 1r"\\" sorry',
        "  exact x⁻¹sorry",
        "  exact xᶜsorry",
        "  set_option Lean.debug.skipKernelTC true in norm_num",
        "  set_option maxHeartbeats 0 in norm_num",
        "  norm_num\n\ntheorem extra : True := trivial",
    ],
)
def test_lean_cheat_is_refused(tmp_path, data_dir, no_toolchains, proof):
    code, out = static(lean_file(tmp_path, data_dir, proof), "--benchmark", "minif2f-lean4")
    assert code == 1 and "refused:" in out and "static: refused" in out, out


def test_lean_header_is_filtered_without_a_benchmark(tmp_path, data_dir, no_toolchains):
    header = 'import Mathlib\n\nrun_cmd Lean.logInfo "hi"'
    code, out = static(lean_file(tmp_path, data_dir, "  norm_num", header=header))
    assert code == 1 and "header" in out, out
    header = "import Mathlib\n\n@[implemented_by foo] def bar : Nat := 1"
    assert static(lean_file(tmp_path, data_dir, "  norm_num", header=header))[0] == 1


def test_lean_statement_other_than_the_records_is_refused(tmp_path, data_dir, no_toolchains):
    t = record("minif2f-lean4", data_dir)
    weaker = t.statement.replace(
        "theorem mathd_algebra_10 ", "theorem mathd_algebra_10 (h : False) "
    )
    assert weaker != t.statement
    code, out = static(
        lean_file(tmp_path, data_dir, "  exact h.elim", statement=weaker),
        "--benchmark",
        "minif2f-lean4",
    )
    assert code == 1 and "not the benchmark's" in out, out


def test_lean_native_decide_is_stated(tmp_path, data_dir, no_toolchains):
    code, out = static(lean_file(tmp_path, data_dir, "  native_decide"))
    assert code == 0 and "note: uses native_decide: trusts the compiler" in out, out


def test_lean_bad_input_exits_2(tmp_path, no_toolchains):
    path = tmp_path / "none.lean"
    path.write_text("import Mathlib\n\ndef x := 1\n", encoding="utf-8")
    code, out = static(path)
    assert code == 2 and "no `theorem`" in out, out
    assert static(tmp_path / "missing.lean")[0] == 2
    path.write_text("theorem a : True := trivial\ntheorem b : True := trivial\n", encoding="utf-8")
    code, out = static(path)
    assert code == 2 and "name one" in out, out
    # Text Lean itself rejects is refused (1), not bad input: it is model output to lint.
    path.write_text("theorem t : True := by\n  trivial /- unterminated\n", encoding="utf-8")
    code, out = static(path)
    assert code == 1 and "does not lex" in out, out
    assert static(tmp_path / "missing.lean")[0] == 2


# --- Coq -------------------------------------------------------------------------------------
def test_coq_exit_codes(tmp_path, data_dir, no_toolchains):
    honest = coq_file(tmp_path, data_dir, "  intros. lra.", "Qed.\n")
    code, out = static(honest, "--benchmark", "minif2f-rocq")
    assert code == 0 and "NOT a verdict" in out, out
    for proof, trailer, needle in [
        ("  intros. admit.", "Qed.\n", "admit"),
        ("  intros. lra.", "Admitted.\n", "does not end with Qed"),
        ("  intros. Axiom cheat : False. lra.", "Qed.\n", "Axiom"),
        ("  intros. lra.", "Qed.\nTheorem other : True. Proof. exact I. Qed.\n", "goes on after"),
    ]:
        code, out = static(coq_file(tmp_path, data_dir, proof, trailer), "--theorem", NAME)
        assert code == 1 and needle in out, (proof, trailer, out)
    path = tmp_path / "empty.v"
    path.write_text("Require Import Reals.\n", encoding="utf-8")
    assert static(path)[0] == 2


# --- Isabelle --------------------------------------------------------------------------------
def test_isabelle_exit_codes(tmp_path, data_dir, no_toolchains):
    honest = isabelle_file(tmp_path, data_dir, "  by simp")
    code, out = static(honest, "--benchmark", "minif2f-isabelle")
    assert code == 0 and "NOT a verdict" in out, out
    code, out = static(
        isabelle_file(tmp_path, data_dir, "  sorry"), "--benchmark", "minif2f-isabelle"
    )
    assert code == 1 and "sorry" in out, out
    t = record("minif2f-isabelle", data_dir)
    changed = t.statement + '\n  and "False"'
    code, out = static(
        isabelle_file(tmp_path, data_dir, "  by simp", statement=changed),
        "--benchmark",
        "minif2f-isabelle",
    )
    assert code == 1 and "not the benchmark's" in out, out
    path = tmp_path / "none.thy"
    path.write_text("theory none imports Main\nbegin\n\nend\n", encoding="utf-8")
    assert static(path)[0] == 2
