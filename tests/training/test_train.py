"""Training on CPU through the real entry point: a tiny Llama on Coq's standard library.

What runs here: the plain-torch loop (loss falls, checkpoint, resume at the same step and
data position, the checkpoint generates through the prover's HF Generator) and the
DeepSpeed ZeRO-1 path on DeepSpeed's CPU accelerator with gloo, two ranks through the
`deepspeed` launcher. FlashAttention-2 and bf16 GPU runs need a GPU.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from prover.models.base import SamplingParams
from prover.models.ct2 import tokenizer_dir
from training.config import TrainConfig
from training.data import Batches, packed_sequences
from training.model import attention_implementation
from training.train import lr_at, train

SMOKE = Path(__file__).resolve().parents[2] / "training" / "configs" / "cpu_smoke.yaml"
COQ_STDLIB = (
    Path(subprocess.run(["coqc", "-where"], capture_output=True, text=True).stdout.strip())
    / "theories"
)


def smoke_config(tmp_path: Path, **overrides) -> Path:
    raw = yaml.safe_load(SMOKE.read_text())
    raw.update(
        {
            "tokenizer": str(tokenizer_dir("smollm2")),
            "out_dir": str(tmp_path / "run"),
            "tensorboard": False,
        }
    )
    raw["sources"][0]["path"] = str(COQ_STDLIB)
    raw.update(overrides)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_loss_falls_checkpoint_resumes_and_loads_in_the_prover(tmp_path):
    cfg = TrainConfig.load(smoke_config(tmp_path, max_steps=20, save_every=10))
    first = train(cfg)
    losses = [h["loss"] for h in first["history"]]
    assert losses[-1] < losses[0] - 1.0, losses
    ckpt = Path(cfg.out_dir) / "checkpoint-20"
    assert (ckpt / "model.safetensors").exists() and (ckpt / "tokenizer.json").exists()
    state = __import__("torch").load(ckpt / "trainer_state.pt", weights_only=False)
    assert (
        state["step"] == 20
        and state["data"]["position"] == 20 * cfg.micro_batch_size * cfg.grad_accum
    )

    # Resume: continues from step 20 and data position 160, not from scratch.
    resumed = train(TrainConfig.load(smoke_config(tmp_path, max_steps=30, save_every=10)))
    assert resumed["history"][0]["step"] == 25 and resumed["step"] == 30
    assert resumed["history"][0]["loss"] < losses[0] - 1.0
    state = __import__("torch").load(
        Path(cfg.out_dir) / "checkpoint-30" / "trainer_state.pt", weights_only=False
    )
    assert state["data"]["position"] == 30 * cfg.micro_batch_size * cfg.grad_accum

    from prover.models.hf import HFGenerator

    gen = HFGenerator(str(Path(cfg.out_dir) / "checkpoint-30"))
    [samples] = gen.generate(
        ["Lemma plus_n_O : forall n"], SamplingParams(n=2, max_tokens=8, stop=())
    )
    assert samples and all(s.num_tokens >= 1 and s.logprob < 0 for s in samples)


def test_data_is_deterministic_and_resumable(tmp_path):
    from transformers import AutoTokenizer

    cfg = TrainConfig.load(smoke_config(tmp_path))
    tok = AutoTokenizer.from_pretrained(tokenizer_dir("smollm2"))
    a = packed_sequences(cfg.sources, tok, 32, seed=7)
    first = [next(a) for _ in range(6)]
    again = [next(packed_sequences(cfg.sources, tok, 32, seed=7)) for _ in range(1)]
    assert first[0] == again[0] and all(len(s) == 33 for s in first)
    resumed = packed_sequences(cfg.sources, tok, 32, seed=7, skip=4)
    assert next(resumed) == first[4]
    # Another seed, another document order (all files share a licence header, so look further).
    assert next(packed_sequences(cfg.sources, tok, 1024, seed=8)) != next(
        packed_sequences(cfg.sources, tok, 1024, seed=7)
    )
    from training.config import SourceConfig

    docs = tmp_path / "docs.jsonl"
    docs.write_text(
        "".join(
            json.dumps({"text": f"Lemma l{i} : {i} = {i}. Proof. reflexivity. Qed."}) + "\n"
            for i in range(50)
        )
    )
    small = [SourceConfig("small", "jsonl", str(docs))]
    seq = next(packed_sequences(small, tok, 64, seed=1))
    assert seq.count(tok.eos_token_id) >= 2  # documents are separated by EOS
    b = Batches(cfg.sources, tok, 32, 2, seed=7, rank=1, world=2)
    x, y = b.next()
    assert x.shape == (2, 32) and b.position == 4 and x[0].tolist() == first[1][:-1]


def test_schedule_and_rope_and_attention():
    cfg = TrainConfig(lr=1.0, warmup_steps=10, max_steps=110, min_lr_ratio=0.1)
    assert lr_at(0, cfg) == pytest.approx(0.1) and lr_at(9, cfg) == pytest.approx(1.0)
    assert lr_at(60, cfg) == pytest.approx(0.55) and lr_at(110, cfg) == pytest.approx(0.1)
    assert attention_implementation("auto", on_gpu=False) == "sdpa"
    from training.model import build_model

    small = {
        "vocab_size": 100,
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_hidden_layers": 1,
        "num_attention_heads": 2,
        "max_position_embeddings": 128,
    }
    model, _ = build_model(
        TrainConfig(model_config=small, seq_len=64, rope_theta=1e6, dtype="float32"), on_gpu=False
    )
    assert model.config.rope_theta == 1e6
    with pytest.raises(ValueError, match="max_position_embeddings"):
        build_model(TrainConfig(model_config=small, seq_len=256, dtype="float32"), on_gpu=False)
    extended, _ = build_model(
        TrainConfig(model_config=small, seq_len=256, max_position_embeddings=256, dtype="float32"),
        on_gpu=False,
    )
    assert extended.config.max_position_embeddings == 256


def test_unknown_setting_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("learning_rate: 0.1\n")
    with pytest.raises(ValueError, match="unknown settings learning_rate"):
        TrainConfig.load(bad)


needs_deepspeed = pytest.mark.skipif(
    importlib.util.find_spec("deepspeed") is None,
    reason="DeepSpeed is not installed (pip install -e '.[train]')",
)


def _env() -> dict:
    return {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "DS_ACCELERATOR": "cpu",
    }


@needs_deepspeed
@pytest.mark.skipif(
    shutil.which("deepspeed") is None and not (Path(sys.executable).parent / "deepspeed").exists(),
    reason="the deepspeed launcher is not on PATH",
)
def test_deepspeed_launcher_two_ranks(tmp_path):
    cfg = smoke_config(
        tmp_path,
        max_steps=6,
        save_every=6,
        log_every=3,
        deepspeed_config=str(SMOKE.parent / "zero1_cpu.json"),
    )
    launcher = shutil.which("deepspeed") or str(Path(sys.executable).parent / "deepspeed")
    out = subprocess.run(
        [
            launcher,
            "--num_gpus",
            "2",
            "--master_port",
            "29733",
            "--module",
            "training.train",
            "--config",
            str(cfg),
        ],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, (out.stdout[-2000:], out.stderr[-3000:])
    assert "world 2" in out.stdout
    # Only rank 0 logs (the loss of its own micro-batches)
    logs = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert [r["step"] for r in logs] == [3, 6] and logs[-1]["loss"] < logs[0]["loss"] + 0.5
    ckpt = tmp_path / "run" / "checkpoint-6"
    assert (ckpt / "model.safetensors").exists()
    assert (ckpt / "optimizer-rank0.pt").exists() and (ckpt / "optimizer-rank1.pt").exists()


DDP_COUNT = """
import json, sys
import torch
from torch.distributed.algorithms.ddp_comm_hooks import default_hooks

rounds = [0]  # gradient all-reduce rounds: one per backward pass that syncs (its last bucket)


class CountingDDP(torch.nn.parallel.DistributedDataParallel):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        def counting(state, bucket):
            rounds[0] += bucket.is_last()
            return default_hooks.allreduce_hook(state, bucket)

        self.register_comm_hook(None, counting)


torch.nn.parallel.DistributedDataParallel = CountingDDP
from training.config import TrainConfig
from training.train import train

train(TrainConfig.load(sys.argv[1]), resume=False)
print(json.dumps({"rank": torch.distributed.get_rank(), "rounds": rounds[0]}))
"""


def test_ddp_all_reduces_once_per_optimizer_step_not_per_micro_step(tmp_path):
    """Two gloo ranks under torchrun, 3 micro-steps per optimizer step: gradients are
    all-reduced in one round per optimizer step (DDP's no_sync on all but the last
    micro-step), not one per micro-step."""
    script = tmp_path / "ddp_count.py"
    script.write_text(DDP_COUNT)
    cfg = smoke_config(tmp_path, max_steps=2, save_every=100, log_every=1, grad_accum=3)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--nproc_per_node",
            "2",
            "--master_port",
            "29744",
            str(script),
            str(cfg),
        ],
        env=_env() | {"OMP_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    lines = [json.loads(x) for x in out.stdout.splitlines() if x.startswith('{"rank"')]
    assert [line["rounds"] for line in lines] == [2, 2], lines  # 6 if every micro-step synced
