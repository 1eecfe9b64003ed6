"""Draft-sketch-prove hole filling, the pipeline and the Sledgehammer baseline, on the stand-in."""

from __future__ import annotations

from dataclasses import replace

import pytest

from prover.assistants.isabelle import theory
from prover.methods import Budget, dsp
from prover.methods.task import Task, settle
from prover.models.base import Sample
from prover.theorem import Theorem
from tests.isabelle.isabelle_support import TOY

DSP = Budget(samples=1, max_tokens=1024, tactic_timeout=30.0)


def informal(theorem, env, model, budget=DSP, data_dir=None):
    """`dsp.prove_informal` of one theorem, its run ended as `prover.methods.prove` ends one."""
    return settle(Task(theorem, env, budget, model), lambda t: dsp.prove_informal(t, data_dir))


def sledgehammer(theorem, env, budget=Budget()):
    return settle(Task(theorem, env, budget), dsp.sledgehammer_only)


SKETCH = 'proof -\n  have c0: "3 * x = 9" using h0 sledgehammer\n  then show ?thesis sorry\nqed'


class ScriptedModel:
    """A scripted stand-in for the model (returns fixed Isar sketches); real models are tested
    in tests/models. Records the prompts and sampling parameters it was given."""

    def __init__(self, *texts: str):
        self.texts, self.prompts, self.params = list(texts), [], []

    def generate(self, prompts, params):
        self.prompts += prompts
        self.params.append(params)
        return [[Sample(t, -1.0, 10) for t in self.texts[: params.n]] for _ in prompts]


def test_holes_are_found_outside_comments_and_strings():
    proof = '(* sorry *) have "sorry = x" sledgehammer\n  show ‹sorry› sorry'
    kinds = [(h.kind, proof[h.start : h.end]) for h in theory.holes(proof)]
    assert kinds == [("sledgehammer", "sledgehammer"), ("sorry", "sorry")]


def test_hole_filling_tries_tactics_in_order_then_sledgehammer(standin):
    env, control = standin
    control.configure(accept=["(auto simp: field_simps)", "(metis c0)"], suggest=["by (metis c0)"])
    stats = dsp.HoleStats()
    proof, why = dsp.close_holes(env, TOY, SKETCH, deadline=1e18, stats=stats)
    assert why == "" and proof is not None
    # Every tactic before field_simps in the list was rejected; field_simps closed both holes.
    assert 'have c0: "3 * x = 9" using h0 by (auto simp: field_simps)' in proof
    assert "then show ?thesis by (auto simp: field_simps)" in proof
    assert theory.cheats(proof) is None
    position = list(env.hole_tactics()).index("by (auto simp: field_simps)")
    assert stats.holes == 2 and stats.closed_by == ["by (auto simp: field_simps)"] * 2
    assert stats.checks == 1 + 2 * (position + 1) and stats.sledgehammer_calls == 0
    # Only Sledgehammer's suggestion works.
    control.configure(accept=["(metis c0)"], suggest=["by (metis c0)"])
    proof, why = dsp.close_holes(env, TOY, SKETCH, deadline=1e18)
    assert proof is not None and proof.count("by (metis c0)") == 2
    # Nothing works: the reason names the line of the open step.
    control.configure()
    proof, why = dsp.close_holes(env, TOY, SKETCH, deadline=1e18)
    assert proof is None and "no tactic closes the open step on line 2" in why
    # A sketch that does not check even with holes is given up at once.
    control.configure(accept=["auto"])
    proof, why = dsp.close_holes(env, TOY, "proof -\n  BROKEN\nqed", deadline=1e18)
    assert proof is None and "does not check" in why and "Inner syntax error" in why


def test_undefined_nlinarith_is_dropped_from_the_list(standin):
    env, control = standin
    control.configure(undefined=["nlinarith"])
    assert "by nlinarith" not in env.hole_tactics()
    assert env.hole_tactics()[:3] == ("by auto", "by simp", "by arith")


def test_nlinarith_is_kept_where_it_exists(standin):
    env, control = standin
    control.configure(accept=["nlinarith"])
    assert env.hole_tactics()[-1] == "by nlinarith"


def test_wall_clock_stops_hole_filling(standin):
    env, control = standin
    proof, why = dsp.close_holes(env, TOY, SKETCH, deadline=0.0)
    assert proof is None and why == "wall clock exhausted"


def test_informal_to_formal_pipeline(standin, data_dir):
    env, control = standin
    control.configure(
        accept=["arith", "(metis c0)"], suggest=["by (metis c0)"], undefined=["nlinarith"]
    )
    model = ScriptedModel(
        'proof -\n  (* Subtract 2. *)\n  have c0: "3 * x = 9" using h0 sledgehammer\n'
        "  then show ?thesis sledgehammer\nqed"
    )
    rec = informal(TOY, env, model, data_dir=data_dir)
    assert rec.status == "proved", rec.reason
    assert rec.model_calls == 1 and rec.tactic_calls > 2
    assert "sledgehammer" not in rec.proof and rec.proof.count("by arith") == 2
    assert model.params[0].n == 1 and model.params[0].temperature == 0.0
    prompt = model.prompts[0]
    assert prompt.count("Informal:") == 7  # six few-shot examples + the problem
    assert "Formal:\ntheorem aime_1983_p9:\n" in prompt  # examples named as Llemma named them
    assert prompt.rstrip().endswith('shows "x = 3"')
    assert "Subtract 2 and divide by 3." in prompt
    control.configure(undefined=["nlinarith"])
    rec = informal(TOY, env, model, data_dir=data_dir)
    assert rec.status == "failed" and "no tactic closes" in rec.reason


def test_pipeline_budget_and_restated_statements(standin, data_dir):
    env, control = standin
    control.configure(accept=["simp"])
    restated = ScriptedModel(
        'theorem toy:\n  fixes x :: real\n  assumes h0: "3 * x + 2 = 11"\n  shows "x = 3"\n  by simp'
    )
    rec = informal(TOY, env, restated, data_dir=data_dir)
    assert rec.status == "proved" and rec.proof == "by simp"
    changed = ScriptedModel('theorem toy:\n  shows "True"\n  by simp', "by simp")
    rec = informal(TOY, env, changed, replace(DSP, attempts=2), data_dir)
    assert rec.status == "failed" and "changed the statement" in rec.reason
    assert rec.model_calls == 2 and changed.params[1].temperature >= 0.6
    rec = informal(TOY, env, changed, replace(DSP, samples=2), data_dir)
    assert rec.status == "proved" and rec.extra["sketches"] == 2


def test_invalid_statement_and_sledgehammer_baseline(standin):
    env, control = standin
    broken = Theorem(
        "bad",
        "isabelle",
        'theorem bad:\n  shows "BROKEN"',
        header="theory bad imports Main\nbegin\n",
    )
    rec = sledgehammer(broken, env)
    assert rec.status == "invalid_statement" and "Inner syntax error" in rec.reason
    assert informal(broken, env, ScriptedModel("by simp")).status == "invalid_statement"
    control.configure(accept=["(smt (verit) h0)"], suggest=["by (smt (verit) h0)"])
    rec = sledgehammer(TOY, env)
    assert rec.status == "proved" and rec.proof.strip() == "by (smt (verit) h0)"
    assert rec.extra["sledgehammer_calls"] == 1
    control.configure()
    rec = sledgehammer(TOY, env)
    assert rec.status == "failed" and rec.proof is None


@pytest.mark.parametrize(
    ("name", "split", "expected"),
    [
        ("mathd_numbertheory_188", "valid", 6),  # seven number theory examples minus itself
        ("numbertheory_x", "test", 7),
        ("mathd_algebra_x", "test", 6),
    ],
)
def test_prompt_sets(data_dir, name, split, expected):
    examples = dsp.load_examples(data_dir)
    assert len(examples) == 20
    t = Theorem(name, "isabelle", f"theorem {name}: ...", split=split)
    chosen = dsp.select_examples(t, examples)
    assert len(chosen) == expected
    assert all(f"theorem {name}:" not in p for p in chosen)
    assert all("numbertheory_3pow2pownm1mod2pownp3eq2pownp2" not in p for p in chosen)


def test_missing_examples_are_an_error_record_not_a_zero_shot_prompt(
    standin, monkeypatch, tmp_path
):
    from prover.assistants.isabelle import examples

    env, control = standin
    monkeypatch.setattr(
        examples, "download", lambda target: (_ for _ in ()).throw(OSError("offline"))
    )
    monkeypatch.setattr("prover.datasets.candidate_dirs", lambda data_dir=None: [tmp_path])
    model = ScriptedModel("by simp")
    rec = informal(TOY, env, model)
    assert rec.status == "error" and "download failed (offline)" in rec.reason
    assert model.prompts == []


def test_examples_download_converts_the_pinned_upstream_files(monkeypatch, tmp_path):
    """The archive is built here (no network in CI) with upstream's layout and fields."""
    import io
    import json
    import tarfile

    from prover.assistants.isabelle import examples
    from prover.datasets import jsonl

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for tag in (
            "aimeI_2001_p3",
            "numbertheory_3pow2pownm1mod2pownp3eq2pownp2",
            "mathd_numbertheory_48",
        ):
            data = json.dumps(
                {"tag": tag, "category": "x", "metadata": {}, "prompt": "Informal:"}
            ).encode()
            info = tarfile.TarInfo(
                f"draft_sketch_prove-647aa65/data/paper_prompt_examples/{tag}.json"
            )
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    calls = []

    def fake_fetch(repo, commit):
        calls.append((repo, commit))
        return tarfile.open(fileobj=io.BytesIO(buf.getvalue()), mode="r:gz")

    monkeypatch.setattr(jsonl, "fetch_github_tarball", fake_fetch)
    path = examples.download(tmp_path / "dsp-prompt-examples")
    rows = {r["minif2f_name"]: r for r in map(json.loads, path.read_text().splitlines())}
    assert calls == [(examples.UPSTREAM_REPO, examples.UPSTREAM_COMMIT)]
    assert set(rows) == {
        "aimeII_2001_p3",
        "numbertheory_3pow2pownm1mod2pownp3eq2pownp2",
        "mathd_numbertheory_48",
    }
    assert rows["numbertheory_3pow2pownm1mod2pownp3eq2pownp2"]["minif2f_split"] == "test"
    assert (
        rows["aimeII_2001_p3"]["tag"] == "aimeI_2001_p3"
        and rows["aimeII_2001_p3"]["minif2f_split"] == "valid"
    )
    assert examples.load_examples(tmp_path, fetch=False)[0]["prompt"] == "Informal:"


def test_whole_proofs_on_isabelle_through_the_checker_seam(standin):
    from prover.methods import prove

    env, control = standin
    control.configure(accept=["arith"])

    class Repairing(ScriptedModel):
        def generate(self, prompts, params):
            self.prompts += prompts
            self.params.append(params)
            text = "by arith" if "Failed to finish proof" in prompts[0] else "by simp"
            return [[Sample(text, -1.0, 3)] for _ in prompts]

    model = Repairing()
    r = prove(TOY, "whole", Budget(samples=1, repair_rounds=1, tactic_timeout=30.0), env, model)
    assert r.status == "proved" and r.proof == "by arith", r.reason
    # the repair prompt carried Isabelle's own message
    assert "Failed to finish proof" in model.prompts[1] and r.extra["repairs"] == 1
