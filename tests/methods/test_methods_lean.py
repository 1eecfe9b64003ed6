"""`whole`, `sketch`, `search` and `portfolio` on Lean through the table stand-in of the REPL
(tests/lean/table_repl.py: the REPL's protocol, Lean's answers read from a table; no Lean
can run here). Scripted proposals; the point is the methods' side: repair prompts carry
the REPL's message, holes are filled, and the verdict's status reaches the results line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from prover.assistants.base import Status
from prover.assistants.registry import LeanConfig, backend
from prover.assistants.text import lean_extract, lean_sketch_steps
from prover.methods import Budget, prove
from prover.models.base import Sample
from prover.theorem import Theorem

TABLE_REPL = Path(__file__).parents[1] / "lean" / "table_repl.py"
# The from-scratch verdict compiles the proof and audits it in processes of their own: a
# STAND-IN plays `lean -o` and prover_audit here (Lean cannot run here; see its docstring).
STANDIN = Path(__file__).parents[1] / "lean" / "standin_lean.py"
STATEMENT = "theorem t (n : ℕ) (h : n > 2) : n * n > 4 ∧ n + n > 4 := by"
GOAL = "n : ℕ\nh : n > 2\n⊢ n * n > 4 ∧ n + n > 4"


@pytest.fixture(autouse=True)
def _standin_config(tmp_path, monkeypatch):
    monkeypatch.setenv("STANDIN_LEAN_CONFIG", str(tmp_path / "standin.json"))


def lean_env(tmp_path, table: dict, **config):
    """The REPL reads `table`; the audit stand-in reports the axioms its "proofs" list."""
    path = tmp_path / "table.json"
    path.write_text(json.dumps({"goal": GOAL, **table}), encoding="utf-8")
    axioms = next(iter(table.get("proofs", {}).values()), ["propext"])
    (tmp_path / "standin.json").write_text(json.dumps({"report": {"axioms": axioms}}))
    cfg = LeanConfig(
        repl_command=(sys.executable, str(TABLE_REPL), str(path)), memory_cap_gb=None, **config
    )
    env = backend("lean").create_env(cfg, tactic_timeout=10.0)
    env.compile_command = [sys.executable, str(STANDIN), "compile"]
    env.audit_command = [sys.executable, str(STANDIN), "audit"]
    return env


class Scripted:
    def __init__(self, rules):
        self.rules, self.prompts = rules, []

    def generate(self, prompts, params):
        self.prompts += prompts
        return [
            [Sample(t, -1.0, 2) for t in next((t for k, t in self.rules if k in p), [])[: params.n]]
            for p in prompts
        ]


THM = Theorem("t", "lean", STATEMENT)
PROOF = "constructor\n· nlinarith\n· omega"


def test_whole_repairs_with_the_repls_message(tmp_path):
    env = lean_env(
        tmp_path,
        {
            "tactics": {
                "nlinarith": {"error": "linarith failed to find a contradiction"},
                PROOF: "done",
            },
            "proofs": {PROOF: ["propext"]},
        },
    )
    gen = Scripted([("linarith failed", [PROOF]), ("", ["```lean\nnlinarith\n```"])])
    try:
        r = prove(THM, "whole", Budget(samples=1, repair_rounds=1), env, gen)
    finally:
        env.close()
    assert r.status is Status.PROVED, r.reason
    assert r.extra["repairs"] == 1 and "linarith failed to find a contradiction" in gen.prompts[1]
    assert r.axioms == ()  # propext is standard: nothing beyond the library to report


def test_native_decide_status_reaches_the_results_line_for_every_method(tmp_path):
    table = {
        "tactics": {"native_decide": "done"},
        "proofs": {"native_decide": ["propext", "Lean.ofReduceBool"]},
    }
    gen = Scripted([("", ["native_decide"])])
    for name, kwargs in (
        ("whole", {}),
        ("search", {}),
        ("portfolio", {"portfolio_tactics": ("native_decide",)}),
        ("copra", {}),
    ):
        env = lean_env(tmp_path, table, allow_native_decide=True)
        try:
            chat = ChatFromScript("native_decide") if name == "copra" else gen
            r = prove(THM, name, Budget(samples=1, expansions=2), env, chat, **kwargs)
        finally:
            env.close()
        record = r.to_record(THM, name)
        assert record.status == "proved_native_decide", (name, r.reason)


class ChatFromScript:
    def __init__(self, reply: str):
        self.reply = reply

    def chat(self, messages, params):
        return [Sample(self.reply, -1.0, 2)]


def test_sketch_fills_sorry_holes(tmp_path):
    sketch = "constructor\n· sorry\n· omega"
    steps = lean_sketch_steps(sketch)
    assert steps == ["constructor", "· sorry", "· omega"]  # a bulleted hole is not split
    sketch = "have h1 : n * n > 4 := by sorry\nexact ⟨h1, by omega⟩"
    assert lean_sketch_steps(sketch) == ["have h1 : n * n > 4", "sorry", "exact ⟨h1, by omega⟩"]
    filled = "have h1 : n * n > 4\n  nlinarith\n  exact ⟨h1, by omega⟩"
    env = lean_env(
        tmp_path,
        {
            "tactics": {
                "have h1 : n * n > 4": {
                    "goals": [
                        "n : ℕ\nh : n > 2\n⊢ n * n > 4",
                        GOAL.replace("⊢", "h1 : n * n > 4\n⊢"),
                    ]
                },
                "nlinarith": {"goals": [GOAL.replace("⊢", "h1 : n * n > 4\n⊢")]},
                "exact ⟨h1, by omega⟩": "done",
            },
            "proofs": {filled.replace("\n  ", "\n"): ["propext"]},
        },
    )
    gen = Scripted([("sorry", [sketch])])
    try:
        r = prove(
            THM,
            "sketch",
            Budget(samples=1, expansions=1),
            env,
            gen,
            portfolio_tactics=("linarith", "nlinarith"),
        )
    finally:
        env.close()
    assert r.status is Status.PROVED, r.reason
    assert "sorry" not in r.proof and "nlinarith" in r.proof
    assert r.extra["holes"] == 1 and r.extra["closed"] == 1


def test_lean_extract():
    assert lean_extract(f"```lean\n{STATEMENT}\n  simp\n```") == "simp"
    assert lean_extract("  nlinarith [sq_nonneg n]\n") == "nlinarith [sq_nonneg n]"
