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


def build_model(cfg: TrainConfig, on_gpu: bool):
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, LlamaConfig

    dtype = getattr(torch, cfg.dtype)
    attn = attention_implementation(cfg.attn_implementation, on_gpu)
    config = AutoConfig.from_pretrained(cfg.model) if cfg.model else LlamaConfig(**cfg.model_config)
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
    if cfg.model:
        model = AutoModelForCausalLM.from_pretrained(
            cfg.model, config=config, dtype=dtype, attn_implementation=attn
        )
    else:
        config._attn_implementation = attn
        model = AutoModelForCausalLM.from_config(config, dtype=dtype, attn_implementation=attn)
    if cfg.gradient_checkpointing:
        model.gradient_checkpointing_enable()
    return model, attn


def flops_per_token(model, seq_len: int) -> float:
    """Training FLOPs per token: 6N for the weights plus 12 * layers * hidden * seq for attention."""
    n = sum(p.numel() for p in model.parameters())
    c = model.config
    return 6 * n + 12 * c.num_hidden_layers * c.hidden_size * seq_len
