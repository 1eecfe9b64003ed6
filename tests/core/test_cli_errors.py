"""Bad input at the command line: one `error:` line and exit status 2, nothing else."""

import pytest
from typer.testing import CliRunner

from prover.cli import app

runner = CliRunner()


def run(*args: str):
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("prove", "no/such/file.v"), "file no/such/file.v not found"),
        (
            ("prove", "no_such_theorem", "--benchmark", "minif2f-rocq"),
            "no theorem named no_such_theorem",
        ),
        (("eval", "--benchmark", "minif2f-agda"), "unknown benchmark"),
        (("eval", "--system", "hol4"), "unknown proof assistant"),
        (("eval", "--benchmark", "minif2f-rocq", "--system", "lean"), "is for coq, not lean"),
        (("eval", "--benchmark", "minif2f-rocq", "--split", "train"), "unknown split"),
        (
            ("eval", "--benchmark", "minif2f-rocq", "--data-dir", "/nonexistent/dir"),
            "does not exist",
        ),
        (("report", "missing.jsonl"), "results file missing.jsonl not found"),
        (("setup", "hol4"), "unknown proof assistant"),
        # budget values no method can run with, refused before any work, by their flag
        (
            ("eval", "--split", "valid", "--samples", "0"),
            "--samples must be a whole number of at least 1",
        ),
        (("eval", "--split", "valid", "--max-tokens", "0"), "--max-tokens must be a whole number"),
        (("eval", "--split", "valid", "--temperature", "-1"), "--temperature must be 0 or more"),
        (
            ("eval", "--split", "valid", "--tactic-timeout", "0"),
            "--tactic-timeout must be positive",
        ),
        (("eval", "--split", "valid", "--wall-seconds", "-5"), "--wall-seconds must be 0 or more"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, needle, data_dir, monkeypatch):
    monkeypatch.setenv("PROVER_DATA_DIR", str(data_dir))
    code, output = run(*args)
    assert code == 2, output
    assert "error:" in output and needle in " ".join(output.split())
    assert "Traceback" not in output


def test_unparsable_coq_file(tmp_path):
    f = tmp_path / "bad.v"
    f.write_text("Require Import Arith.\n(* no theorem here *)\n")
    code, output = run("prove", str(f))
    assert code == 2 and "no Theorem/Lemma/Fact" in output


@pytest.mark.parametrize(
    ("system", "needle"), [("lean", "prover setup lean"), ("isabelle", "isabelle.in.tum.de")]
)
def test_missing_toolchain_fails_fast_with_instructions(
    system, needle, data_dir, monkeypatch, tmp_path
):
    monkeypatch.setenv("PATH", str(tmp_path))  # no lake, no isabelle
    monkeypatch.setenv("HOME", str(tmp_path))
    code, output = run("eval", "--system", system, "--limit", "1", "--data-dir", str(data_dir))
    assert code == 2 and needle in " ".join(output.split()) and "Traceback" not in output


@pytest.mark.parametrize(
    ("runtime", "shown"), [([], "auto"), (["--runtime", "ct2"], "ct2"), (["--runtime", "hf"], "hf")]
)
def test_a_base_url_without_the_openai_runtime_is_refused(runtime, shown, data_dir, monkeypatch):
    """It used to vanish silently: the run then used a local model instead of the server."""
    monkeypatch.setenv("PROVER_DATA_DIR", str(data_dir))
    args = ["eval", "--benchmark", "minif2f-rocq", "--base-url", "http://h:8000/v1", *runtime]
    code, output = run(*args)
    assert code == 2, output
    said = " ".join(output.split())
    assert said.count("error:") == 1
    assert f"--base-url is used by --runtime openai only, not by runtime {shown}" in said


def test_learn_finds_its_default_training_recipe(tmp_path, monkeypatch):
    """The default recipe is training/configs/sft_cpu_smoke.yaml of the repository."""
    import sys

    learn = pytest.importorskip("training.learn")
    seen = []
    monkeypatch.setattr(learn, "learn", lambda cfg: seen.append(cfg) or [])
    monkeypatch.setattr(sys.modules["prover.cli.learn"], "require_toolchain", lambda system: None)
    code, output = run("learn", "--out", str(tmp_path / "runs"))
    assert code == 0, output
    assert seen and seen[0].train_config.endswith("training/configs/sft_cpu_smoke.yaml")
    # the wall clock an omitted --wall-seconds gives is the one learn's help shows
    assert seen[0].budget.wall_limit == 60.0
    assert "[default: 60.0]" in " ".join(run("learn", "--help")[1].split())
    code, output = run("learn", "--out", str(tmp_path / "runs"), "--wall-seconds", "12")
    assert code == 0 and seen[-1].budget.wall_limit == 12.0, output
