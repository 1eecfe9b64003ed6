"""One training run = one YAML file. Every field has a default a CPU smoke run can use."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml


@dataclass
class SourceConfig:
    name: str
    kind: str  # "files" (a folder tree), "jsonl", "parquet", "text", "hf" (Hugging Face dataset, streaming)
    path: str = ""  # folder/file for local kinds, dataset id for "hf"
    weight: float = 1.0  # share of the mixture's tokens
    glob: str = "**/*"  # for "files"
    text_field: str = "text"
    hf_config: str | None = None
    hf_split: str = "train"


@dataclass
class SFTSource:
    """Supervised (prompt -> answer) data, rendered in the prompt format the prover sends.

    kind "tactics": a corpus directory (its tactics.jsonl) or a tactics.jsonl file, one
    (state -> tactic) pair per line; kind "proofs": a JSONL file of checked proofs (results
    lines with status proved and their `proof`, or `prover learn`'s proofs.jsonl), each a
    (statement -> whole proof) pair.
    """

    name: str
    kind: str  # "tactics" or "proofs"
    path: str
    limit: int | None = None  # the first N usable pairs (a small slice for smoke runs)
    weight: int = 1  # repeat this source's pairs N times per epoch (upweight found proofs)


@dataclass
class LoraSettings:
    """LoRA through peft: only the low-rank adapters train; the base stays frozen."""

    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: list[str] = field(
        default_factory=lambda: [
            "q_proj",
            "k_proj",
            "v_proj",
            "o_proj",
            "gate_proj",
            "up_proj",
            "down_proj",
        ]
    )


@dataclass
class TrainConfig:
    # model
    model: str = ""  # HF id or path; empty = build from `model_config`
    model_config: dict[str, Any] = field(default_factory=dict)  # e.g. a tiny LlamaConfig for tests
    tokenizer: str = ""  # defaults to `model`
    dtype: str = "bfloat16"
    attn_implementation: str = "auto"  # auto: flash_attention_2 on GPU when installed, else sdpa
    rope_theta: float | None = None  # Code Llama: 1e6
    max_position_embeddings: int | None = None  # context extension, set explicitly
    rope_scaling: dict[str, Any] | None = None
    gradient_checkpointing: bool = False
    # data: `sources` (pretraining mixture) or `sft` (prompt -> answer pairs), not both
    sources: list[SourceConfig] = field(default_factory=list)
    sft: list[SFTSource] = field(default_factory=list)
    lora: LoraSettings | None = None  # None: full fine-tuning
    seq_len: int = (
        4096  # sft: the longest example kept (prompt + answer tokens); longer are dropped
    )
    seed: int = 1234
    # optimisation
    micro_batch_size: int = 1
    grad_accum: int = 1
    lr: float = 1e-4
    min_lr_ratio: float = 0.1
    warmup_steps: int = 100
    max_steps: int = 1000
    weight_decay: float = 0.1
    betas: tuple[float, float] = (0.9, 0.95)
    grad_clip: float = 1.0
    # runtime
    deepspeed_config: str | None = (
        None  # a ZeRO config JSON; None = plain torch (DDP under torchrun)
    )
    out_dir: str = "runs/train"
    save_every: int = 500
    log_every: int = 10
    peak_flops: float = (
        312e12  # per device, for MFU (A100 bf16 dense); CPU runs print MFU against this too
    )
    tensorboard: bool = True
    keep_checkpoints: int | None = None  # keep only the newest N checkpoints (None: all)

    @property
    def task(self) -> str:
        return "sft" if self.sft else "pretrain"

    @classmethod
    def load(cls, path: str | Path, **overrides: Any) -> TrainConfig:
        raw = yaml.safe_load(Path(path).read_text()) or {}
        raw.update({k: v for k, v in overrides.items() if v is not None})
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"{path}: unknown settings {', '.join(sorted(unknown))}")
        for f in fields(cls):  # YAML 1.1 reads 1.0e12 (no sign) as a string
            if f.name in raw and isinstance(raw[f.name], str) and "float" in str(f.type):
                raw[f.name] = float(raw[f.name])
        for key in ("model", "tokenizer", "out_dir", "deepspeed_config"):
            if isinstance(raw.get(key), str) and raw[key].startswith("~"):
                raw[key] = str(Path(raw[key]).expanduser())
        raw["sources"] = [SourceConfig(**s) for s in raw.get("sources", [])]
        raw["sft"] = [SFTSource(**s) for s in raw.get("sft", [])]
        for s in raw["sft"]:
            if s.kind not in ("tactics", "proofs"):
                raise ValueError(f"{path}: sft source {s.name}: kind must be tactics or proofs")
            if not s.path.startswith("corpus:"):
                s.path = str(Path(s.path).expanduser())
        if raw["sft"] and raw["sources"]:
            raise ValueError(f"{path}: a run takes `sources` (pretraining) or `sft`, not both")
        if raw.get("lora") is not None:
            raw["lora"] = LoraSettings(**raw["lora"])
        for s in raw["sources"]:
            if s.kind != "hf" and s.path.startswith("~"):
                s.path = str(Path(s.path).expanduser())
        if "betas" in raw:
            raw["betas"] = tuple(raw["betas"])
        return cls(**raw)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
