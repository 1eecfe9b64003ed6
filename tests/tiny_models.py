"""Tiny models built in the test, for runtimes whose real models cannot be downloaded here."""

from __future__ import annotations

from pathlib import Path


def _smollm2_tokenizer():
    from transformers import AutoTokenizer

    from prover.models.ct2 import tokenizer_dir

    return AutoTokenizer.from_pretrained(tokenizer_dir("smollm2"))


def _save(model_cls, config, tok, path: Path) -> Path:
    import torch

    torch.manual_seed(0)
    model_cls(config).save_pretrained(path)
    tok.save_pretrained(path)
    return path


def tiny_t5(path: Path) -> Path:
    """A random 1-layer T5 (the architecture of ReProver's ByT5 tactic generator) saved as an HF directory."""
    from transformers import T5Config, T5ForConditionalGeneration

    tok = _smollm2_tokenizer()
    config = T5Config(
        vocab_size=len(tok),
        d_model=32,
        d_ff=64,
        num_layers=1,
        num_heads=2,
        d_kv=16,
        decoder_start_token_id=tok.pad_token_id or 0,
        pad_token_id=tok.pad_token_id or 0,
        eos_token_id=tok.eos_token_id,
    )
    return _save(T5ForConditionalGeneration, config, tok, path)


def tiny_llama(path: Path) -> Path:
    """A random 1-layer Llama (a user's own causal checkpoint) with a real tokenizer, as an HF directory."""
    from transformers import LlamaConfig, LlamaForCausalLM

    tok = _smollm2_tokenizer()
    config = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=256,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
    )
    return _save(LlamaForCausalLM, config, tok, path)
