"""Isabelle: statement extraction on all 488 theories, the server client and DSP hole filling
against the protocol stand-in (standin_server.py), verdicts, and live tests where Isabelle exists."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from prover.datasets import load_benchmark
from prover.generator import Sample
from prover.isabelle import check_installation, dsp, theory
from prover.isabelle.env import IsabelleEnv
from prover.isabelle.server import IsabelleServer
from prover.theorem import Theorem

STANDIN = Path(__file__).with_name("standin_server.py")


def test_statement_extraction_on_all_theories(data_dir):
    theorems = load_benchmark("minif2f-isabelle", "all", data_dir)
    assert len(theorems) == 488
    raw = {
        json.loads(line)["name"]: json.loads(line)["isabelle_theory"]
        for line in (data_dir / "minif2f-isabelle" / "minif2f.jsonl").read_text().splitlines()
    }
    for t in theorems:
        assert t.statement.startswith(("theorem", "lemma")) and t.name in t.statement.split(":")[0]
        outside_strings = re.sub(r'"[^"]*"', "", t.statement)
        assert not re.search(r"\b(sorry|proof|by|oops)\b", outside_strings), t.name
        text = raw[t.name]
        assert text.startswith(t.header.strip()), t.name
        after = text[text.index(t.statement) + len(t.statement) :].lstrip()
        # The statement ends right before the first proof command of the upstream theory.
        assert re.match(r"(proof|by|sorry|oops|apply|using|unfolding|\.)", after), (
            t.name,
            after[:30],
        )
        assert t.informal_statement
    assert sum("shows" not in t.statement for t in theorems) == 82
    helper = next(t for t in theorems if t.name == "mathd_numbertheory_764")
    assert "definition inv_mod" in helper.header


@pytest.fixture
def standin(tmp_path):
    """Start the protocol stand-in with a config the test can rewrite between checks."""
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"accept": [], "suggest": []}))
    proc = subprocess.Popen(
        [sys.executable, str(STANDIN), str(config)], stdout=subprocess.PIPE, text=True
    )
    line = proc.stdout.readline()
    m = re.match(r'server ".*" = (.*):(\d+) \(password "(.*)"\)', line)
    assert m, line
    server = IsabelleServer(
        address=m.group(1), port=int(m.group(2)), password=m.group(3), session="MiniF2F"
    )
    env = IsabelleEnv(server=server, check_timeout=10)

    def configure(**cfg):
        config.write_text(json.dumps({"accept": [], "suggest": []} | cfg))

    yield env, configure
    env.close()
    proc.kill()


THM = Theorem(
    "toy",
    "isabelle",
    'theorem toy:\n  fixes x :: real\n  assumes h0: "3 * x + 2 = 11"\n  shows "x = 3"',
    header="theory toy imports Complex_Main\nbegin\n",
    split="valid",
    informal_statement="Solve $3x+2=11$. Show that it is 3.",
    informal_proof="Subtract 2 and divide by 3.",
)


def test_client_checks_theories_and_reads_errors_with_lines(standin):
    env, configure = standin
    configure(accept=["auto"])
    assert env.check(THM, "by auto").ok
    bad = env.check(THM, "by simp")
    assert not bad.ok and bad.errors[0].text == "Failed to finish proof" and bad.errors[0].line == 8


def test_timeout_cancels_the_task_and_the_server_stays_usable(standin):
    env, configure = standin
    configure(accept=["auto"])
    slow = env.check(THM, "by auto (* HANG *)", timeout=1)
    assert slow.timed_out and not slow.ok
    assert env.check(THM, "by auto").ok


def test_hole_filling_tries_tactics_in_order_then_sledgehammer(standin):
    env, configure = standin
    sketch = 'proof -\n  have c0: "3 * x = 9" using h0 sledgehammer\n  then show ?thesis sorry\nqed'
    configure(accept=["(auto simp: field_simps)", "(metis c0)"], suggest=["by (metis c0)"])
    proof, why = dsp.close_holes(env, THM, sketch, deadline=1e18)
    assert why == "" and proof is not None
    # The first hole: every earlier tactic of the list was rejected, field_simps accepted.
    assert 'have c0: "3 * x = 9" using h0 by (auto simp: field_simps)' in proof
    assert "then show ?thesis by (auto simp: field_simps)" in proof
    assert theory.cheats(proof) is None
    configure(accept=["(metis c0)"], suggest=["by (metis c0)"])
    proof, why = dsp.close_holes(env, THM, sketch, deadline=1e18)
    assert (
        proof is not None and proof.count("by (metis c0)") == 2
    )  # only Sledgehammer's proof works
    configure(accept=[], suggest=[])
    proof, why = dsp.close_holes(env, THM, sketch, deadline=1e18)
    assert proof is None and "no tactic closes" in why
    configure(accept=["auto"])
    proof, why = dsp.close_holes(env, THM, "proof -\n  BROKEN\nqed", deadline=1e18)
    assert proof is None and "does not check" in why


@pytest.mark.parametrize(
    ("proof", "reason"),
    [
        ("sorry", "sorry"),
        ("oops", "oops"),
        ("by auto\naxiomatization where ax: False", "axiomatization"),
    ],
)
def test_verdict_rejects_escape_hatches(standin, proof, reason):
    env, configure = standin
    configure(accept=["auto"])
    v = env.verify(THM, proof)
    assert not v.ok and reason in v.reason


class ScriptedModel:
    """A scripted stand-in for the model: returns one fixed Isar sketch (the real model is tested elsewhere)."""

    def __init__(self, text: str):
        self.text, self.prompts = text, []

    def generate(self, prompts, params):
        self.prompts += prompts
        return [[Sample(self.text, -1.0, 10)] for _ in prompts]


def test_informal_to_formal_pipeline(standin, data_dir):
    env, configure = standin
    configure(accept=["arith", "(metis c0)"], suggest=["by (metis c0)"])
    model = ScriptedModel(
        'proof -\n  (* Subtract 2. *)\n  have c0: "3 * x = 9" using h0 sledgehammer\n  then show ?thesis sledgehammer\nqed'
    )
    rec = dsp.prove_informal(THM, env, model, data_dir=data_dir)
    assert rec.status == "proved", rec.reason
    assert "sledgehammer" not in rec.proof and "by arith" in rec.proof
    prompt = model.prompts[0]
    assert prompt.count("Informal:") >= 2 and prompt.rstrip().endswith('shows "x = 3"')
    assert "Subtract 2 and divide by 3." in prompt
    configure(accept=[], suggest=[])
    rec = dsp.prove_informal(THM, env, model, data_dir=data_dir)
    assert rec.status == "failed"
    changed = ScriptedModel('theorem toy:\n  shows "False"\n  by auto')
    assert dsp.prove_informal(THM, env, changed, data_dir=data_dir).status == "failed"


def test_invalid_statement_and_sledgehammer_baseline(standin):
    env, configure = standin
    broken = Theorem(
        "bad",
        "isabelle",
        'theorem bad:\n  shows "BROKEN"',
        header="theory bad imports Main\nbegin\n",
    )
    assert dsp.sledgehammer_only(broken, env).status == "invalid_statement"
    configure(accept=["(smt (verit) h0)"], suggest=["by (smt (verit) h0)"])
    rec = dsp.sledgehammer_only(THM, env)
    assert rec.status == "proved" and rec.proof.strip() == "by (smt (verit) h0)"


def test_prompt_sets_leave_out_the_problem_and_test_problems(data_dir):
    examples = dsp.load_examples(data_dir)
    assert len(examples) == 20
    nt = Theorem(
        "mathd_numbertheory_188", "isabelle", "theorem mathd_numbertheory_188: ...", split="valid"
    )
    names = [e for e in dsp.select_examples(nt, examples)]
    assert len(names) == 6  # seven in the number theory set, minus the problem itself
    test = Theorem("x", "isabelle", "theorem numbertheory_x: ...", split="test")
    assert all(
        "numbertheory_3pow2pownm1mod2pownp3eq2pownp2" not in p
        for p in dsp.select_examples(test, examples)
    )


def test_missing_isabelle_fails_fast(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert "isabelle.in.tum.de" in check_installation()


@pytest.mark.skipif(
    shutil.which("isabelle") is None,
    reason="Isabelle is not installed here (needs its official distribution)",
)
def test_live_isabelle_checks_a_minif2f_proof(data_dir):
    from prover.isabelle import create_env

    t = next(
        t
        for t in load_benchmark("minif2f-isabelle", "test", data_dir)
        if t.name == "mathd_algebra_10"
    )
    env = create_env()
    try:
        assert env.verify(t, "by (simp add: abs_if)").ok or env.verify(t, "by simp").ok
        assert not env.verify(t, "sorry").ok
    finally:
        env.close()
