"""Red team, Lean: every cheat class of issues 10 and 17 and DESIGN.md, as a case.

Three layers, as the verdict has them. The filter (prover.assistants.lean.check.refusal and
header_refusal) and `prover check --static` run here for real. The verdict's compile and
kernel replay cannot (Lean cannot be installed on these machines): for them the real
verdict code runs against a STAND-IN compiler and audit program (tests/lean/standin_lean.py:
it speaks prover_audit's output format and reports what the real audit reports for that
cheat; it proves nothing). The live case at the end runs the proofs through a real Lean
where `lake` and the project's Lean are installed, and is skipped with the reason otherwise.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from prover.assistants.base import Status
from prover.assistants.lean import check_installation
from prover.assistants.lean.check import check_file, refusal, split_file
from prover.assistants.lean.env import LeanReplEnv
from prover.theorem import Theorem

HEADER = "import Mathlib\n\nset_option maxHeartbeats 0\n\nopen BigOperators Real Nat Topology Rat"
STATEMENT = "theorem t (x : ℝ) (h₀ : 3 * x + 2 = 11) : x = 3 := by"
THEOREM = Theorem("t", "lean", STATEMENT, HEADER)
STANDIN = Path(__file__).parents[1] / "lean" / "standin_lean.py"

# Each refused by the lexer-based filter before Lean is asked (the class, then the text).
FILTER_CASES = [
    ("sorry after a comment holding --", "/- -- -/ sorry"),
    ("sorry after a string holding --", 'have : "--" = "--" := rfl; sorry'),
    ("sorry after a nested comment", "/- /- -/ -/ sorry"),
    ("sorry in an interpolated string", 'exact (s!"{(sorry : ℕ)}").length_pos'),
    ("sorry as an escaped name", "exact «sorry»"),
    ("admit", "admit"),
    ("stop closes goals with sorry", "stop\n  norm_num"),
    ("sorryAx used directly", "exact sorryAx _ false"),
    ("the compiler's unsafe axiom lcProof", "exact lcProof"),
    ("lcProof by its root name", "exact @_root_.lcProof _"),
    ("lcCast", "exact lcCast ()"),
    ("set_option ... in", "set_option debug.skipKernelTC true in linarith"),
    ("set_option inside a term", "exact (set_option maxHeartbeats 0 in by norm_num)"),
    ("debug option name", "simp (config := {}) [debug.skipKernelTC]"),
    ("by_elab", "exact by_elab return Lean.mkConst ``True.intro"),
    ("elab", 'elab "cheat" : tactic => pure ()'),
    ("macro", 'macro "cheat" : tactic => `(tactic| sorry)'),
    ("syntax", 'syntax "cheat" : tactic'),
    ("notation rebinding", 'notation "x" => 3'),
    ("new axiom", "axiom cheat : False"),
    ("#eval", "#eval Lean.Elab.Command.liftTermElabM (pure ())"),
    ("#exit", "norm_num\n#exit"),
    ("#print prints a fake audit", "norm_num\n#print \"'t' does not depend on any axioms\""),
    ("run_tac", "run_tac Lean.Elab.Tactic.closeMainGoal (Lean.mkConst ``True.intro)"),
    ("run_cmd", "run_cmd pure ()"),
    ("unsafe", "exact unsafe (unsafeCast ())"),
    ("implemented_by", "@[implemented_by foo] def bar := 1"),
    ("extern", '@[extern "c_cheat"] opaque cheat : False'),
    ("csimp attribute", "attribute [csimp] foo"),
    ("local instance", "attribute [local instance] Classical.propDecidable"),
    ("import", "import Cheat"),
    ("decoy namespace after the proof", "norm_num\n\nnamespace X\ntheorem t : True := trivial"),
    ("decoy theorem after the proof", "linarith\n\ntheorem t' : 1 = 1 := rfl"),
    ("end of section", "norm_num\nend"),
    ("open as a command", "norm_num\nopen Real"),
    ("compiler trust by name", "exact Lean.ofReduceBool _ _ rfl"),
    ("native_decide when off", "native_decide"),
    ("decide +native when off", "decide +native"),
    ("decide with native config when off", "decide (config := { native := true })"),
    ("IO at elaboration", "exact (IO.Process.exit 0 : IO Unit)"),
    ("unterminated comment hides the rest", "norm_num /- sorry"),
]

# Issue 17, item 1: texts the old lexer read differently from Lean, one class per group.
LEXER_CASES = [
    # A decimal number ends at its last ASCII digit; Lean reads the keyword after it.
    ("number then run_tac", "exact 1run_tac Lean.Elab.Tactic.evalTactic (← `(tactic| sorry))"),
    ("number then sorry", "exact 0sorry"),
    ("hex number then set_option", "exact 0x1set_option debug.skipKernelTC true in rfl"),
    ("binary number then sorry", "exact (0b1sorry)"),
    ("octal number then sorry", "exact (0o7sorry)"),
    ("scientific number then sorry", "exact (1.5e10sorry)"),
    ("number with separators then sorry", "exact (1_000sorry)"),
    ("number and dot then sorry", "exact (2.sorry)"),
    # Raw strings have no escapes: `r"\"` is complete, what follows is code.
    ("raw string closed at once", 'exact (1r"\\" sorry)'),
    ("raw string with hashes", 'have := r#"\\"# ; sorry'),
    ("raw string then newline then command", 'norm_num\n  have := r"\\"\nrun_cmd pure ()'),
    # Characters Python calls letters or digits that Lean does not put in a name.
    ("superscript digits", "exact x⁻¹sorry"),
    ("superscript two", "exact (x²sorry)"),
    ("modifier letter c", "exact xᶜsorry"),
    ("modifier letter x", "exact xˣsorry"),
    ("modifier letter h", "exact xʰsorry"),
    ("Arabic-Indic digit", "exact (x٣sorry)"),
    ("Cyrillic letter", "exact (xиsorry)"),
    ("middle dot", "exact x·sorry"),
    # Strings read as interpolated run code in their braces; reading two ways is refused.
    ("sorry in an interpolated string", 'exact (s!"{(sorry : ℕ)}").length_pos'),
    ("string inside interpolation", 'exact s!"{ "a" ++ (sorry : String) }"'),
    # Comments as Lean ends them; an unterminated one is an error, not text.
    ("comment closed by its third character", "/-/-/ sorry"),
    ("unterminated nested comment", "norm_num /- /- -/ sorry"),
    ("char literal holding a quote", "have := '\"'; sorry"),
    ("tab before a keyword", "norm_num\n\tsorry"),
    # `debug` anywhere in a name; metaprogramming entry points and names.
    ("debug as a later component", "set_option Lean.debug.skipKernelTC true in norm_num"),
    ("escaped debug component", "exact Lean.«debug».skipKernelTC"),
    ("debug name literal", "exact `debug.skipKernelTC"),
    ("run_elab", "run_elab pure ()"),
    ("run_meta", "run_meta pure ()"),
    ("by_elab in a term", "exact by_elab pure (Lean.mkConst ``True.intro)"),
    ("Lean.Elab name", "exact Lean.Elab.Tactic.evalTactic"),
    ("Lean.Meta name", "exact Lean.Meta.mkFreshExprMVar none"),
    ("Lean.addDecl", "exact Lean.addDecl default"),
    ("modifyEnv", "exact (Lean.modifyEnv id : Lean.CoreM Unit)"),
    ("Lean.Environment", "exact (Lean.Environment.contains default `t)"),
    ("Lean.Kernel", "exact Lean.Kernel.isDefEq"),
    ("evalTactic after open", "open Lean Elab Tactic in evalTactic default"),
    ("metaprogramming namespace opened", "open Lean.Elab.Tactic in exact default"),
    ("unsafe cast", "exact unsafeCast ()"),
    ("IO action", 'exact (IO.println "x")'),
    ("maxHeartbeats 0 means no limit", "set_option maxHeartbeats 0 in norm_num"),
    ("resource option without in", "set_option maxRecDepth 100\n  norm_num"),
    ("printing option", "set_option pp.all true in norm_num"),
]

HONEST = [
    "norm_num [h₀] at *\n  linarith",
    "linarith -- sorry is only mentioned here",
    "/- sorry -/ nlinarith [sq_nonneg (x - 3)]",
    'have h : "sorry".length = 5 := rfl\n  linarith',
    "open Real in\n  linarith",
    "exact h₀.symm ▸ by norm_num",
    # Issue 17, item 4: honest forms the filter refused.
    "open scoped Real in\n  nlinarith [Real.pi_pos]",
    "open scoped BigOperators Real in\n  norm_num",
    "set_option maxRecDepth 10000 in\n  norm_num [h₀]",
    "set_option maxHeartbeats 400000 in\n  nlinarith [sq_nonneg (x - 3)]",
    "set_option synthInstance.maxHeartbeats 40000 in\n  linarith",
    # Lean's own reading of numbers, names and strings in honest proofs.
    "have h₁ := h₀\n  have := (⟨1, 2⟩ : ℕ × ℕ).1.succ\n  linarith",
    "norm_num [show (2 : ℝ)⁻¹ = 0.5 by norm_num]\n  linarith",
    "have hx : (1.5e1 : ℝ) = 15 := by norm_num\n  linarith",
    "have := (1_000 : ℕ)\n  have xⱼ := 0x1F\n  linarith",
    'have : s!"{x}" = toString x := rfl\n  linarith',
    "have : (fun n : ℕ => n) '' {1} = {1} := by simp\n  linarith",
    "/-/ a comment -/ linarith",
]


@pytest.mark.parametrize(("what", "proof"), FILTER_CASES, ids=[c[0] for c in FILTER_CASES])
def test_cheat_is_refused_by_the_filter(what, proof):
    assert refusal(proof) is not None, what


@pytest.mark.parametrize(("what", "proof"), LEXER_CASES, ids=[c[0] for c in LEXER_CASES])
def test_lexer_class_cheat_is_refused_by_the_filter(what, proof):
    assert refusal(proof) is not None, what


@pytest.mark.parametrize("proof", HONEST)
def test_honest_text_passes_the_filter(proof):
    assert refusal(proof) is None


def static_check(tmp_path, proof: str, header: str = HEADER) -> tuple[int, str]:
    """`prover check FILE --static` on a whole file: header, statement, proof."""
    path = tmp_path / "t.lean"
    path.write_text(f"{header}\n\n{STATEMENT}\n  {proof}\n", encoding="utf-8")
    return static_check_file(path)


def static_check_file(path: Path) -> tuple[int, str]:
    from typer.testing import CliRunner

    from prover.cli import app

    result = CliRunner().invoke(app, ["check", str(path), "--static"])
    return result.exit_code, result.output


# `prover check` allows native_decide and states it; the other cases are refused there too.
NATIVE_CASES = [c for c in FILTER_CASES if "native" in c[0]]
STATIC_CASES = [c for c in FILTER_CASES + LEXER_CASES if c not in NATIVE_CASES]


@pytest.mark.parametrize(("what", "proof"), STATIC_CASES, ids=[c[0] for c in STATIC_CASES])
def test_cheat_is_refused_by_the_static_stage(tmp_path, what, proof):
    code, output = static_check(tmp_path, proof)
    assert code == 1 and "refused" in output, (what, output)


@pytest.mark.parametrize(("what", "proof"), NATIVE_CASES, ids=[c[0] for c in NATIVE_CASES])
def test_native_decide_passes_the_static_stage_and_is_stated(tmp_path, what, proof):
    code, output = static_check(tmp_path, proof)
    assert code == 0 and "uses native_decide" in output, (what, output)


@pytest.mark.parametrize("proof", HONEST)
def test_honest_text_passes_the_static_stage(tmp_path, proof):
    code, output = static_check(tmp_path, proof)
    assert code == 0 and "NOT a verdict" in output, output


# Issue 17, item 3: without a benchmark the header is the user's and is filtered too.
HEADER_CASES = [
    ("run_cmd", HEADER + '\nrun_cmd Lean.logInfo "x"'),
    ("#eval", HEADER + "\n#eval IO.println 1"),
    ("elab", HEADER + '\nelab "cheat" : tactic => pure ()'),
    ("macro", HEADER + '\nmacro "cheat" : tactic => `(tactic| trivial)'),
    ("initialize", HEADER + "\ninitialize pure ()"),
    ("implemented_by", HEADER + "\n@[implemented_by id] def f (n : ℕ) : ℕ := n"),
    ("extern", HEADER + '\n@[extern "f"] def g (n : ℕ) : ℕ := n'),
    ("init attribute", HEADER + "\ndef h : IO Unit := pure ()\nattribute [init h] Nat"),
    ("debug option", HEADER + "\nset_option debug.skipKernelTC true"),
    ("other option", HEADER + '\nset_option trace.profiler.output "x"'),
    ("metaprogramming namespace", HEADER + "\nopen Lean Elab Command"),
    ("unsafe def", HEADER + "\nunsafe def k : ℕ := 1"),
]
HONEST_HEADERS = [
    HEADER,
    "import Mathlib\nimport Aesop\n\nset_option maxHeartbeats 400000\n\nopen BigOperators Real Nat",
    HEADER + "\n\ntheorem helper (a : ℝ) : a + 0 = a := by simp",
    HEADER
    + '\n\nnoncomputable section\n@[simp] lemma k : (1 : ℕ) = 1 := rfl\nnotation "π₀" => Real.pi',
    HEADER + "\nset_option linter.unusedVariables false\nset_option pp.all true",
]


@pytest.mark.parametrize(("what", "header"), HEADER_CASES, ids=[c[0] for c in HEADER_CASES])
def test_header_that_runs_code_is_refused_without_a_benchmark(tmp_path, what, header):
    from prover.assistants.lean.check import header_refusal

    assert header_refusal(header) is not None, what
    path = tmp_path / "t.lean"
    path.write_text(f"{header}\n\n{STATEMENT}\n  linarith\n", encoding="utf-8")
    v = check_file(path, None, None)  # refused before Lean is needed
    assert not v.ok and "header" in v.reason, (what, v.reason)
    assert static_check(tmp_path, "linarith", header)[0] == 1


@pytest.mark.parametrize(
    ("binder", "word"),
    [("(h : True := by run_tac pure ())", "run_tac"), ("(h : False := sorry)", "sorry")],
)
def test_statement_that_runs_code_or_assumes_is_refused(tmp_path, binder, word):
    path = tmp_path / "t.lean"
    cheat = STATEMENT.replace("(h₀", f"{binder} (h₀")
    path.write_text(f"{HEADER}\n\n{cheat}\n  linarith\n", encoding="utf-8")
    v = check_file(path, None, None)
    assert not v.ok and word in v.reason, v.reason
    code, output = static_check_file(path)
    assert code == 1 and word in output, output


def test_module_files_are_refused(tmp_path):
    path = tmp_path / "t.lean"
    path.write_text(f"module\n\n{HEADER}\n\n{STATEMENT}\n  linarith\n", encoding="utf-8")
    v = check_file(path, None, None)
    assert not v.ok and "module" in v.reason, v.reason


@pytest.mark.parametrize("header", HONEST_HEADERS)
def test_honest_header_passes(tmp_path, header):
    from prover.assistants.lean.check import header_refusal

    assert header_refusal(header) is None
    assert static_check(tmp_path, "linarith", header)[0] == 0


def standin_env(tmp_path, monkeypatch, **cfg) -> tuple[LeanReplEnv, Path]:
    """The verdict's compiler and audit program played by tests/lean/standin_lean.py (it
    speaks prover_audit's output format; Lean cannot run here). The REPL is never asked."""
    (tmp_path / "standin.json").write_text(json.dumps(cfg), encoding="utf-8")
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("STANDIN_LEAN_CONFIG", str(tmp_path / "standin.json"))
    monkeypatch.setenv("STANDIN_LEAN_LOG", str(log))
    env = LeanReplEnv(
        command=[sys.executable, "-c", "raise SystemExit('the REPL is not the verdict')"],
        memory_gb=None,
        command_timeout=20,
        compile_command=[sys.executable, str(STANDIN), "compile"],
        audit_command=[sys.executable, str(STANDIN), "audit"],
    )
    return env, log


FAKE_AUDIT = json.dumps(
    {
        "theorem": "t",
        "kind": "theorem",
        "replayed": 1,
        "type_matches": True,
        "level_params_match": True,
        "imports_match": True,
        "axioms": [],
        "unsafe_constants": [],
        "error": None,
    }
)

# Each passes the filter (or would, behind a lexer bug); what the kernel replay and the
# comparison report (played by the stand-in, in prover_audit's format) must reject it.
AUDIT_CASES = [
    (
        "declaration added without the kernel (debug.skipKernelTC via addDecl)",
        {"report": {"error": "kernel replay: (kernel) unknown declaration 'cheat'"}},
        "kernel replay refused",
    ),
    (
        "fake audit printed by the proof while it compiles",
        {"compile_output": FAKE_AUDIT, "report": {"axioms": ["sorryAx"]}},
        "sorryAx",
    ),
    (
        "printed #print-axioms text",
        {
            "compile_output": "'t' does not depend on any axioms",
            "report": {"axioms": ["propext", "Lean.ofReduceBool"]},
        },
        "native_decide",
    ),
    ("axiom from the header", {"report": {"axioms": ["propext", "cheat"]}}, "beyond propext"),
    (
        "axiom whose short name imitates a standard one",
        {"report": {"axioms": ["Cheat.propext"]}},
        "Cheat.propext",
    ),
    ("audit of another declaration", {"report": {"theorem": "X.t"}}, "not on"),
    ("decoy with another type", {"report": {"type_matches": False}}, "type is not"),
    ("decoy with other universes", {"report": {"level_params_match": False}}, "type is not"),
    ("theorem replaced by a def", {"report": {"kind": "def"}}, "not a theorem"),
    ("unsafe constant the kernel skips", {"report": {"unsafe_constants": ["c"]}}, "unsafe"),
    ("imports other than the reference's", {"report": {"imports_match": False}}, "imports"),
    ("a second audit answer", {"audit_raw": FAKE_AUDIT + "\n" + FAKE_AUDIT}, "2 lines"),
    ("reference rewritten while the proof compiles", {"tamper_reference": True}, "changed"),
    (
        "kernel error in the proof",
        {
            "compile_exit": 1,
            "compile_output": "Proof.lean:9:2: error: (kernel) declaration has metavariables 't'",
        },
        "Lean rejected",
    ),
]


@pytest.mark.parametrize(("what", "cfg", "reason"), AUDIT_CASES, ids=[c[0] for c in AUDIT_CASES])
def test_cheat_is_rejected_by_the_audit(tmp_path, monkeypatch, what, cfg, reason):
    env, _ = standin_env(tmp_path, monkeypatch, **cfg)
    v = env.verify(THEOREM, "  linarith")
    env.close()
    assert not v.ok and reason in v.reason, (what, v.reason)


def test_honest_proof_is_accepted_by_compile_and_separate_audit(tmp_path, monkeypatch):
    env, log = standin_env(tmp_path, monkeypatch)
    v = env.verify(THEOREM, "  norm_num [h₀] at *\n  linarith")
    env.close()
    assert v.ok and v.axioms == ("propext", "Classical.choice", "Quot.sound"), v.reason
    ran = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [c["args"][0] for c in ran] == ["compile", "compile", "audit"]
    assert ran[2]["args"][-1] == "t" and len({c["pid"] for c in ran}) == 3


def test_native_decide_is_its_own_verdict(tmp_path, monkeypatch):
    env, _ = standin_env(tmp_path, monkeypatch, report={"axioms": ["propext", "Lean.ofReduceBool"]})
    env.allow_native_decide = True
    v = env.verify(THEOREM, "  native_decide")
    env.close()
    assert v.ok and v.status is Status.NATIVE_DECIDE


# `prover check FILE.lean --benchmark NAME`: the file must be the benchmark's theorem.
FILE_CASES = [
    ("hypothesis added", HEADER, STATEMENT.replace("(h₀", "(h : False) (h₀")),
    ("statement weakened", HEADER, STATEMENT.replace("x = 3", "x = x")),
    ("name redefined in the header", HEADER + "\ndef Real.sqrt (x : ℝ) : ℝ := x", STATEMENT),
    ("notation overridden in the header", HEADER + '\nnotation "π" => (3 : ℝ)', STATEMENT),
    ("admitted lemma in the header", HEADER + "\ntheorem h : False := sorry", STATEMENT),
    ("same-named theorem in another namespace", HEADER + "\nnamespace X", STATEMENT),
]


@pytest.mark.parametrize(
    ("what", "header", "statement"), FILE_CASES, ids=[c[0] for c in FILE_CASES]
)
def test_file_that_is_not_the_benchmarks_theorem_is_rejected(tmp_path, what, header, statement):
    path = tmp_path / "t.lean"
    path.write_text(f"{header}\n\n{statement}\n  linarith\n", encoding="utf-8")
    v = check_file(path, THEOREM, None)
    assert not v.ok and "not" in v.reason, what


def test_file_split_and_bad_input(tmp_path):
    theorem, proof = split_file(f"{HEADER}\n\n{STATEMENT}\n  linarith\n")
    assert (theorem.name, theorem.statement, theorem.header, proof) == (
        "t",
        STATEMENT,
        HEADER,
        "\n  linarith\n",
    )
    two = f"{HEADER}\n\ntheorem a : True := by trivial\n\n{STATEMENT}\n  linarith\n"
    with pytest.raises(ValueError, match="several theorems \\(a, t\\)"):
        split_file(two)
    assert split_file(two, "t")[0].header.endswith("theorem a : True := by trivial")
    with pytest.raises(ValueError, match="it has: a, t"):
        split_file(two, "b")


def test_missing_lean_is_toolchain_missing(tmp_path, monkeypatch):
    from prover.assistants.base import ToolchainMissing

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("ELAN_HOME", str(tmp_path / "elan"))
    path = tmp_path / "t.lean"
    path.write_text(f"{HEADER}\n\n{STATEMENT}\n  linarith\n", encoding="utf-8")
    with pytest.raises(ToolchainMissing, match="elan"):
        check_file(path, THEOREM, None)
    # A term-mode proof states the same theorem: it passes the comparison, then needs Lean.
    term = STATEMENT.removesuffix(" by") + "\n  (by linarith)"
    path.write_text(f"{HEADER}\n\n-- a comment\n{term}\n", encoding="utf-8")
    with pytest.raises(ToolchainMissing):
        check_file(path, THEOREM, None)


LIVE = pytest.mark.skipif(
    shutil.which("lake") is None or check_installation() is not None,
    reason="Lean is not installed here (or lean/ is not built); run `prover setup lean`",
)


@LIVE
def test_live_cheats_are_rejected_and_an_honest_proof_accepted(data_dir):
    from prover.assistants.lean import create_env

    env = create_env(tactic_timeout=120)
    try:
        honest = env.verify(THEOREM, "  linarith")
        assert honest.ok, honest.reason
        for what, proof in FILTER_CASES + [
            ("decoy", "  linarith\n\nnamespace X\ntheorem t : True := trivial\nend X")
        ]:
            assert not env.verify(THEOREM, proof).ok, what
        # Past the filter, the kernel's audit: an axiom the header declares is named.
        axiom_header = Theorem("t", "lean", STATEMENT, HEADER + "\naxiom cheat : False")
        v = env.verify(axiom_header, "  exact cheat.elim")
        assert not v.ok and "cheat" in v.reason, v.reason
    finally:
        env.close()


def test_case_counts():
    """The red-team count the closing note reports (cases tried; every one must be rejected)."""
    assert len(FILTER_CASES) + len(AUDIT_CASES) + len(FILE_CASES) == 41 + 14 + 6
    assert len(LEXER_CASES) + len(HEADER_CASES) == 44 + 12
    assert len(HONEST) + len(HONEST_HEADERS) == 18 + 5


def test_every_minif2f_lean4_header_and_statement_passes_the_filters(data_dir):
    """An honest proof rejected is a bug too: all 488 records split, and their headers and
    statements pass the filters (Mathlib tokens such as `f⁻¹' s` included)."""
    from prover.assistants.lean.check import header_refusal, statement_refusal
    from prover.datasets import load_benchmark

    records = load_benchmark("minif2f-lean4", "all", data_dir)
    assert len(records) == 488
    for t in records:
        theorem, proof = split_file(f"{t.header}\n\n{t.statement}\n  norm_num\n", t.name)
        assert (theorem.header, theorem.statement) == (t.header.strip(), t.statement), t.name
        assert header_refusal(theorem.header) is None, t.name
        assert statement_refusal(theorem.statement) is None, t.name
        assert refusal(proof) is None, t.name
