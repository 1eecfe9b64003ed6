"""Tiny models built in the test, for runtimes whose real models cannot be downloaded here."""

from __future__ import annotations

from pathlib import Path


def tiny_t5(path: Path) -> Path:
    """A random 1-layer T5 (the architecture of ReProver's ByT5 tactic generator) saved as an HF directory."""
    import torch
    from transformers import AutoTokenizer, T5Config, T5ForConditionalGeneration

    from prover.models.embedded import embedded_model_dir

    tok = AutoTokenizer.from_pretrained(embedded_model_dir())
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
    torch.manual_seed(0)
    T5ForConditionalGeneration(config).save_pretrained(path)
    tok.save_pretrained(path)
    return path
