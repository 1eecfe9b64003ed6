"""Supervised fine-tuning: data in the prover's own prompt format, exact prefix reading,
strict resuming, LoRA adapters merged for the prover, the smoke recipe end to end into
`prover prove`, and the miniF2F test exclusion.

The SFT data here is real: short proofs written for the project (`training.fixtures`)
replayed through the prover's Coq driver, in the corpus format. Models are the registry's
SmolLM2-135M where the prover must load the result, and a tiny random Llama (SmolLM2's
tokenizer) where only the arithmetic of training is under test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from prover.models.embedded import hf_model_dir
from training.config import LoraSettings, SFTSource, TrainConfig
from training.sft_data import (
    IGNORE,
    DataReport,
    Encoder,
    Example,
    SFTBatches,
    as_sent,
    examples,
    pairs,
    tactic_prompt,
)

REPO = Path(__file__).resolve().parents[2]
SMOKE = REPO / "training" / "configs" / "sft_cpu_smoke.yaml"


@pytest.fixture(scope="module")
def fixture_data(tmp_path_factory) -> Path:
    """The fixture proofs replayed through Coq: tactics.jsonl, proofs.jsonl, PROVENANCE.json."""
    from training.fixtures import write

    folder = tmp_path_factory.mktemp("sftdata")
    write(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory) -> Path:
    """A tiny random Llama with SmolLM2's tokenizer, saved as a Hugging Face directory."""
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    folder = tmp_path_factory.mktemp("tinybase")
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=49152,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        tie_word_embeddings=True,
    )
    LlamaForCausalLM(config).save_pretrained(folder)
    AutoTokenizer.from_pretrained(hf_model_dir("smollm2")).save_pretrained(folder)
    return folder


def test_fixture_corpus_is_replayed_coq_in_the_agreed_format(fixture_data):
    rows = [json.loads(line) for line in (fixture_data / "tactics.jsonl").read_text().splitlines()]
    keys = {"library", "version", "file", "theorem", "step", "state", "tactic", "premises"}
    assert rows and all(set(r) == keys for r in rows)
    first = rows[0]
    assert (first["theorem"], first["step"], first["tactic"]) == ("fx_add_0_r", 0, "intros n.")
    assert first["state"] == "============================\nforall n : nat, n + 0 = n"
    # the induction's second case: Coq's own hypothesis names in the state
    assert any("IH : n + 0 = n" in r["state"] for r in rows if r["theorem"] == "fx_add_0_r")
    prov = json.loads((fixture_data / "PROVENANCE.json").read_text())
    assert prov["counts"] == {"proofs": 16, "tactics": len(rows)}


def test_training_prompt_is_the_prompt_the_search_sends(fixture_data):
    """The real search on a real theorem with the real SmolLM2 runtime: the text the engine
    receives for the root state is, character for character, the training example's prompt.
    (A recording wrapper sits between the chat layer and the CTranslate2 engine.)"""
    from prover.assistants.coq.env import CoqEnv
    from prover.methods import Budget
    from prover.methods.search import best_first_search
    from prover.models import load_generator
    from training.fixtures import theorems

    generator = load_generator("smollm2", lazy=False)
    seen: list[str] = []
    inner = generator.inner

    class Recording:
        def generate(self, prompts, params):
            seen.extend(prompts)
            return inner.generate(prompts, params)

        def __getattr__(self, name):
            return getattr(inner, name)

    generator.inner = Recording()
    theorem = next(t for t, _ in theorems() if t.name == "fx_lin")
    env = CoqEnv(tactic_timeout=5)
    try:
        root = env.open(theorem)
        best_first_search(
            theorem, env, generator, Budget(expansions=1, samples=2, wall_limit=60, max_tokens=8)
        )
    finally:
        env.close()
    text, shared = as_sent(tactic_prompt(root.text, theorem), generator)
    assert seen and seen[0] == text and shared > 0

    # the answer is what the loss covers: the labelled tokens decode to it, and the prompt's
    # tokens are the engine's own encoding of the prompt
    encoder = Encoder(Path(generator.tokenizer_dir) / "tokenizer.json")
    from training.sft_data import Pair

    ex = encoder.example(Pair(text, " lra.\n", "t", theorem.name, shared=shared))
    answer_ids = [t for t in ex.labels if t != IGNORE]
    assert encoder.tokenizer.decode(answer_ids) == " lra.\n"
    prompt_len = len(ex.ids) - len(answer_ids)
    assert list(ex.prefix) + ex.ids[:prompt_len] == encoder.tokenizer.encode(text).ids
    assert len(ex.prefix) > 300  # the few-shot text is read once per micro-batch


def test_shared_prefix_read_once_gives_the_same_loss_and_gradients(fixture_data, tiny_base):
    from transformers import AutoModelForCausalLM

    from training.train import LossModule

    report = DataReport()
    sources = [SFTSource("t", "tactics", str(fixture_data / "tactics.jsonl"), limit=3)]
    ex = examples(pairs(sources, None, report), Encoder(tiny_base / "tokenizer.json"), 2048, report)
    assert len(ex) == 3 and all(len(e.prefix) > 300 for e in ex)
    flat = [Example((), list(e.prefix) + e.ids, [IGNORE] * len(e.prefix) + e.labels) for e in ex]
    results = []
    for data in (ex, flat):
        model = AutoModelForCausalLM.from_pretrained(tiny_base, dtype=torch.float32)
        batch = SFTBatches(data, 3, seed=0).next()
        loss = LossModule(model)(batch.x, batch.y, batch.prefix)
        loss.backward()
        results.append((batch, loss.item(), model.model.layers[0].self_attn.q_proj.weight.grad))
    (b1, l1, g1), (b2, l2, g2) = results
    assert b1.prefix is not None and b2.prefix is None and b1.x.size(1) < b2.x.size(1) - 300
    assert l1 == pytest.approx(l2, rel=1e-5)
    assert torch.allclose(g1, g2, atol=1e-6, rtol=1e-4)


def test_batches_resume_at_their_position(fixture_data, tiny_base):
    report = DataReport()
    sources = [
        SFTSource("t", "tactics", str(fixture_data / "tactics.jsonl")),
        SFTSource("p", "proofs", str(fixture_data / "proofs.jsonl")),
    ]
    ex = examples(pairs(sources, None, report), Encoder(tiny_base / "tokenizer.json"), 2048, report)
    a = SFTBatches(ex, 4, seed=3)
    seq = [a.next().x.tolist() for _ in range(20)]  # more than one epoch
    b = SFTBatches(ex, 4, seed=3, position=4 * 13)
    assert b.next().x.tolist() == seq[13]
    assert SFTBatches(ex, 4, seed=4).next().x.tolist() != seq[0] or len(ex) < 8
    # two ranks split each global batch of micro x world rows
    r0, r1 = SFTBatches(ex, 2, 3, rank=0, world=2), SFTBatches(ex, 2, 3, rank=1, world=2)
    assert r0.next().x.size(0) == 2 and r1.next().x.size(0) == 2 and r0.position == 4


def test_miniF2F_test_statements_are_excluded_and_counted(tmp_path, fixture_data, data_dir):
    from prover.datasets import load_benchmark
    from training.hygiene import TestSet, conclusion

    test = TestSet.load(data_dir)
    assert test.count == 244
    record = sorted(load_benchmark("minif2f-rocq", "test", data_dir), key=lambda t: t.name)[5]
    proofs = tmp_path / "proofs.jsonl"
    lines = [
        {"name": record.name, "statement": record.statement, "proof": "lia."},
        {
            "name": "renamed",
            "statement": record.statement.replace(record.name, "renamed"),
            "proof": "lia.",
        },
        {"name": "fine", "statement": "Theorem fine : 1 = 1.", "proof": "reflexivity."},
    ]
    proofs.write_text("".join(json.dumps(r) + "\n" for r in lines))
    goal = conclusion(record.statement)
    tactics = tmp_path / "tactics.jsonl"
    row = {
        "theorem": "other",
        "step": 0,
        "state": f"x : R\n============================\n{goal}",
        "tactic": "lra.",
    }
    tactics.write_text(json.dumps(row) + "\n" + (fixture_data / "tactics.jsonl").read_text())
    report = DataReport()
    kept = pairs(
        [SFTSource("p", "proofs", str(proofs)), SFTSource("t", "tactics", str(tactics))],
        None,
        report,
        exclude=test,
    )
    assert report.sources["p"]["excluded_minif2f_test"] == 2
    assert report.sources["t"]["excluded_minif2f_test"] == 1
    assert {p.theorem for p in kept} >= {"fine", "fx_add_0_r"} and record.name not in {
        p.theorem for p in kept
    }


def test_lora_checkpoint_resumes_strictly_merges_and_runs_in_ctranslate2(
    tmp_path, fixture_data, tiny_base, monkeypatch
):
    from prover.models.base import SamplingParams
    from prover.models.checkpoint import is_adapter, merge_adapter, read_meta
    from prover.models.ct2 import CT2Generator
    from training.train import load_weights, train

    monkeypatch.setenv("PROVER_MODEL_CACHE", str(tmp_path / "cache"))
    cfg = TrainConfig(
        model=str(tiny_base),
        dtype="float32",
        sft=[SFTSource("t", "tactics", str(fixture_data / "tactics.jsonl"), limit=8)],
        lora=LoraSettings(r=4, alpha=8, dropout=0.0),
        seq_len=1024,
        micro_batch_size=4,
        lr=1e-3,
        warmup_steps=1,
        max_steps=2,
        save_every=1,
        log_every=1,
        tensorboard=False,
        keep_checkpoints=2,
        out_dir=str(tmp_path / "run"),
    )
    first = train(cfg)
    ckpt = Path(first["checkpoint"])
    assert ckpt.name == "checkpoint-2" and is_adapter(ckpt)
    assert not (ckpt / "model.safetensors").exists()  # the adapter only: a few hundred kB
    meta = read_meta(ckpt)
    assert meta["lora"] and meta["base"] == str(tiny_base) and "coq_tactic" in meta["templates"]
    assert first["tokens"] > 0 and first["history"][-1]["peak_rss_mb"] > 0

    resumed = train(TrainConfig(**{**cfg.__dict__, "max_steps": 3}))
    assert [h["step"] for h in resumed["history"]] == [3]
    assert sorted(p.name for p in (tmp_path / "run").glob("checkpoint-*")) == [
        "checkpoint-2",
        "checkpoint-3",
    ]  # keep_checkpoints: 2
    state = torch.load(tmp_path / "run" / "checkpoint-3" / "trainer_state.pt", weights_only=False)
    assert state["step"] == 3 and state["data"]["position"] == 12

    from training.model import build_model

    other, _ = build_model(TrainConfig(**{**cfg.__dict__, "lora": LoraSettings(r=8)}), False)
    with pytest.raises(RuntimeError, match="size mismatch|does not match"):
        load_weights(other, ckpt)  # rank 8 adapters cannot take rank 4 weights

    merged = merge_adapter(tmp_path / "run" / "checkpoint-3", tmp_path / "merged")
    assert (merged / "model.safetensors").exists() and read_meta(merged)["lora"]
    gen = CT2Generator(str(tmp_path / "run" / "checkpoint-3"))  # merged, converted, cached
    assert (tmp_path / "cache" / "ct2").is_dir()
    [samples] = gen.generate(["Goal:"], SamplingParams(n=1, max_tokens=4, stop=()))
    assert samples and samples[0].num_tokens >= 1


def test_full_checkpoint_loads_strictly(tmp_path, tiny_base):
    from safetensors.torch import load_file, save_file
    from transformers import AutoModelForCausalLM

    from training.train import load_weights

    model = AutoModelForCausalLM.from_pretrained(tiny_base, dtype=torch.float32)
    load_weights(model, tiny_base)  # the tied output weight is not in the file: allowed
    weights = load_file(tiny_base / "model.safetensors")
    bad = tmp_path / "bad"
    bad.mkdir()
    save_file({**weights, "model.extra.weight": torch.zeros(1)}, bad / "model.safetensors")
    with pytest.raises(RuntimeError, match="unexpected"):
        load_weights(model, bad)
    weights.pop("model.norm.weight")
    save_file(weights, bad / "model.safetensors")
    with pytest.raises(RuntimeError, match="missing"):
        load_weights(model, bad)


def test_learn_refuses_the_test_split(data_dir, tmp_path):
    from training.hygiene import TestSet
    from training.learn import LearnConfig, LearnError, training_theorems

    test = TestSet.load(data_dir)
    with pytest.raises(LearnError, match="valid split only"):
        training_theorems(LearnConfig(out=tmp_path, split="test", data_dir=str(data_dir)), test)
    a_test_name = sorted(test.names)[0]
    with pytest.raises(LearnError, match="not in the valid split"):
        training_theorems(
            LearnConfig(out=tmp_path, names=[a_test_name], data_dir=str(data_dir)), test
        )
    train, evaluation, dropped = training_theorems(
        LearnConfig(out=tmp_path, data_dir=str(data_dir)), test
    )
    assert len(train) == len(range(0, 244 - dropped, 4))  # every 4th clean valid name
    assert not {t.name for t in train} & {t.name for t in evaluation}
    out = subprocess.run(
        [sys.executable, "-m", "prover", "learn", "--split", "test", "--out", str(tmp_path / "l")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "PROVER_DATA_DIR": str(data_dir)},
        timeout=300,
    )
    assert out.returncode == 2 and "valid split only" in out.stderr


def _run(cmd: list[str], cwd: Path, env: dict, timeout: int = 1200) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_sft_smoke_recipe_end_to_end_into_prover_prove(tmp_path, data_dir):
    """The CI path: fixture data -> training/configs/sft_cpu_smoke.yaml -> a checkpoint under
    runs/sft_cpu_smoke/ -> `prover prove FILE --model THAT` (converted to CTranslate2 once)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PROVER_DATA_DIR": str(data_dir)}
    py = sys.executable
    made = _run([py, "-m", "training.fixtures", "runs/sft_cpu_smoke/data"], tmp_path, env)
    assert made.returncode == 0, made.stderr[-2000:]
    trained = _run([py, "-m", "training.train", "--config", str(SMOKE)], tmp_path, env)
    assert trained.returncode == 0, trained.stderr[-3000:]
    logs = [json.loads(x) for x in trained.stdout.splitlines() if x.startswith("{")]
    assert [r["step"] for r in logs] == [1, 2, 3, 4] and all(r["loss"] > 0 for r in logs)
    run = tmp_path / "runs" / "sft_cpu_smoke"
    ckpt = run / "checkpoint-4"
    assert (ckpt / "model.safetensors").exists() and (ckpt / "prover.json").exists()
    prov = json.loads((run / "PROVENANCE.json").read_text())
    assert prov["minif2f_test_exclusion"]["test_statements"] == 244
    assert prov["minif2f_test_exclusion"]["excluded"] == 0 and prov["examples"] > 30

    tiny = tmp_path / "tiny.v"
    tiny.write_text(
        "Require Import Arith Lia.\n\nTheorem tiny (n : nat) (h : n + 2 = 5) : n = 3.\nProof.\nAdmitted.\n"
    )
    cache = tmp_path / "cache"
    proved = _run(
        [
            py,
            "-m",
            "prover",
            "prove",
            str(tiny),
            "--model",
            str(ckpt),
            "--no-portfolio",
            "--samples",
            "2",
            "--max-expansions",
            "2",
            "--wall-seconds",
            "60",
        ],
        tmp_path,
        {**env, "PROVER_MODEL_CACHE": str(cache)},
    )
    assert proved.returncode in (0, 1), proved.stderr[-3000:]
    result = json.loads(proved.stdout.splitlines()[0])
    assert result["name"] == "tiny" and result["status"] in ("proved", "failed"), result
    assert result["expansions"] >= 1  # the model was asked (no portfolio to prove it instead)
    assert list(cache.glob("ct2/checkpoint-4-*/int8/model.bin"))


@pytest.mark.slow
def test_learn_runs_a_miniature_round_and_resumes(tmp_path, data_dir):
    """One expert-iteration round on two valid theorems, one fine-tuning step, an evaluation
    on a third, through the `prover learn` command; the same command again runs nothing."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PROVER_DATA_DIR": str(data_dir)}
    out = tmp_path / "learn"
    cmd = [
        sys.executable,
        "-m",
        "prover",
        "learn",
        "--out",
        str(out),
        "--names",
        "mathd_numbertheory_81,mathd_numbertheory_132",
        "--eval-names",
        "mathd_numbertheory_200",
        "--steps",
        "1",
        "--wall-seconds",
        "30",
        "--samples",
        "2",
        "--max-expansions",
        "1",
    ]
    first = _run(cmd, tmp_path, env, timeout=1800)
    assert first.returncode == 0, first.stderr[-3000:]
    [record] = [json.loads(x) for x in (out / "rounds.jsonl").read_text().splitlines()]
    assert record["round"] == 0 and record["searched"] == 2 and record["eval_theorems"] == 1
    assert record["eval_proved"] in (0, 1) and record["eval_base_proved"] in (0, 1)
    proofs = [json.loads(x) for x in (out / "proofs.jsonl").read_text().splitlines()]
    assert len(proofs) == record["proved"] == record["total_proofs"]
    prov = json.loads((out / "PROVENANCE.json").read_text())
    assert prov["minif2f_test_exclusion"]["test_statements"] == 244
    if record["proved"]:  # proofs found: they were replayed and trained on
        assert record["trained"] and record["tokens"] > 0 and record["loss"] > 0
        assert record["tactic_pairs"] >= 1 and Path(record["model"]).is_dir()
        assert (out / "round-0" / "train" / "PROVENANCE.json").exists()
    again = _run(cmd, tmp_path, env, timeout=600)
    assert again.returncode == 0 and len((out / "rounds.jsonl").read_text().splitlines()) == 1
