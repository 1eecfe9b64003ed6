"""Any Hugging Face causal LM, with the attention kernel and RoPE settings made explicit."""

from __future__ import annotations

import importlib.util

from training.config import TrainConfig


def attention_implementation(requested: str, on_gpu: bool) -> str:
    """FlashAttention-2 where it can run (CUDA + flash_attn installed), SDPA otherwise."""
    if requested != "auto":
        return requested
    if on_gpu and importlib.util.find_spec("flash_attn") is not None:
        return "flash_attention_2"
    return "sdpa"


def resolve_model(name: str) -> str:
    """A registry model name (`smollm2`, `embedded`) -> its cached Hugging Face directory;
    anything else (a directory, a hub id) as it is."""
    from prover.models.registry import lookup

    if name and lookup(name) is not None:
        from prover.models.embedded import hf_model_dir

        return str(hf_model_dir(name))
    return name


def build_model(cfg: TrainConfig, on_gpu: bool):
    """The model to train: `cfg.model` (or a fresh one from `model_config`), with LoRA
    adapters (peft) when `cfg.lora` is set; only the adapters then require gradients."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, LlamaConfig

    dtype = getattr(torch, cfg.dtype)
    attn = attention_implementation(cfg.attn_implementation, on_gpu)
    source = resolve_model(cfg.model)
    config = AutoConfig.from_pretrained(source) if source else LlamaConfig(**cfg.model_config)
    # RoPE: Code Llama trains with theta 1e6; extending the context is a deliberate choice.
    if cfg.rope_theta is not None:
        config.rope_theta = cfg.rope_theta
    if cfg.max_position_embeddings is not None:
        config.max_position_embeddings = cfg.max_position_embeddings
    if cfg.rope_scaling is not None:
        config.rope_scaling = cfg.rope_scaling
    if cfg.seq_len > config.max_position_embeddings:
        raise ValueError(
            f"seq_len {cfg.seq_len} exceeds the model's max_position_embeddings {config.max_position_embeddings}; "
            "raise max_position_embeddings (and consider rope_theta / rope_scaling) explicitly"
        )
    if source:
        model = AutoModelForCausalLM.from_pretrained(
            source, config=config, dtype=dtype, attn_implementation=attn
        )
    else:
        config._attn_implementation = attn
        model = AutoModelForCausalLM.from_config(config, dtype=dtype, attn_implementation=attn)
    if cfg.gradient_checkpointing:
        model.gradient_checkpointing_enable()
    if cfg.lora is not None:
        from peft import LoraConfig, get_peft_model

        model = get_peft_model(
            model,
            LoraConfig(
                r=cfg.lora.r,
                lora_alpha=cfg.lora.alpha,
                lora_dropout=cfg.lora.dropout,
                target_modules=list(cfg.lora.target_modules),
                task_type="CAUSAL_LM",
            ),
        )
    return model, attn


def flops_per_token(model, seq_len: int) -> float:
    """Training FLOPs per token: 6N for the weights plus 12 * layers * hidden * seq for attention.

    (With LoRA the frozen weights get no weight gradients, so the work is nearer 4N; the
    figure stays 6N so MFU compares across runs.)"""
    n = sum(p.numel() for p in model.parameters())
    c = model.config
    return 6 * n + 12 * c.num_hidden_layers * c.hidden_size * seq_len
