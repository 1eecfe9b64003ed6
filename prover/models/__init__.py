"""Generator runtimes by name: transformers ("hf"), vLLM ("vllm"), OpenAI-compatible servers ("openai")."""

from __future__ import annotations

from typing import Any

from prover.generator import Generator

RUNTIMES = ("hf", "vllm", "openai")


def load_generator(spec: str = "embedded", runtime: str = "hf", **options: Any) -> Generator:
    """`spec` is 'embedded', a local HF directory, a hub id, or (openai) the served model's name."""
    if runtime == "hf":
        from prover.models.hf import HFGenerator

        return HFGenerator(spec, **options)
    if runtime == "vllm":
        from prover.models.vllm_engine import VLLMGenerator

        return VLLMGenerator(spec, **options)
    if runtime == "openai":
        from prover.models.openai_compat import OpenAIGenerator

        return OpenAIGenerator(spec, **options)
    raise ValueError(f"unknown runtime {runtime!r}; choose one of {', '.join(RUNTIMES)}")
