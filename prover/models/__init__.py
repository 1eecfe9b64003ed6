"""Generator runtimes by name: CTranslate2 ("ct2"), transformers ("hf"), vLLM, OpenAI-compatible servers.

"auto" (the default) picks CTranslate2 for causal language models run locally (the
registry's models, a local directory, a hub id) and transformers for seq2seq models
(ReProver's ByT5) or an architecture CTranslate2 cannot convert. vLLM and OpenAI-compatible
servers are used only when asked for. A registry model that is an instruct model gets its
chat template around every prompt (`prover.models.chat`); a local training checkpoint
(`prover.models.checkpoint`) gets its prompts as its `prover.json` says it was trained on them.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from prover.models.base import Generator, LazyGenerator, ModelUnavailable

RUNTIMES = ("auto", "ct2", "hf", "vllm", "openai")


def load_generator(
    spec: str = "embedded",
    runtime: str = "auto",
    lazy: bool = True,
    threads: int | None = None,
    **options: Any,
) -> Generator:
    """`spec` is a registry model name, a local HF directory, a hub id, or (openai) a served model's name.

    `threads`: CPU threads for a local model (a pool worker's share of the cores); vLLM and
    served models ignore it.

    The model is loaded on first use (`LazyGenerator`), so a run whose theorems never reach
    the model never loads it; `lazy=False` loads it now (a server that must fail at start).
    """
    from prover.models.quiet import quiet_libraries

    quiet_libraries()
    if runtime not in RUNTIMES:
        raise ValueError(f"unknown runtime {runtime!r}; choose one of {', '.join(RUNTIMES)}")
    if lazy and runtime in ("auto", "ct2"):
        _convert_checkpoint_now(spec)
    if lazy and runtime != "openai":
        return LazyGenerator(lambda: load_generator(spec, runtime, False, threads, **options))
    if runtime == "auto":
        runtime = "hf" if _is_seq2seq(spec) else "ct2"
        if runtime == "ct2":
            try:
                return _with_chat(spec, _ct2(spec, options, threads))
            except ModelUnavailable as e:
                if "cannot convert" not in str(e):
                    raise
                print(f"note: {e}; using transformers instead", file=sys.stderr)
                runtime = "hf"
    if runtime == "ct2":
        return _with_chat(spec, _ct2(spec, options, threads))
    if runtime == "hf":
        from prover.models.hf import HFGenerator

        return _with_chat(spec, HFGenerator(spec, threads=threads, **options))
    if runtime == "vllm":
        from prover.models.vllm_engine import VLLMGenerator

        return VLLMGenerator(spec, **options)
    from prover.models.openai_compat import OpenAIGenerator

    return OpenAIGenerator(spec, **options)


def _convert_checkpoint_now(spec: str) -> None:
    """A local checkpoint's one-time CTranslate2 conversion (and LoRA merge) runs now, not on
    first use, where it would be spent out of the first theorem's wall clock (a new
    SmolLM2 checkpoint: about 30 s on 2 idle cores). Loading stays lazy."""
    local = Path(spec).expanduser()
    if not local.is_dir() or _is_seq2seq(spec):
        return
    from prover.models.ct2 import ct2_model_dir

    # a failure is said again, with the fallback to transformers, when the model is first used
    with contextlib.suppress(ModelUnavailable):
        ct2_model_dir(spec)


def _ct2(spec: str, options: dict[str, Any], threads: int | None) -> Generator:
    from prover.models.ct2 import CT2Generator

    known = {"device", "compute_type"}
    return CT2Generator(spec, threads=threads, **{k: v for k, v in options.items() if k in known})


def _is_seq2seq(spec: str) -> bool:
    """Read the model's config without loading it (registry models are all causal)."""
    from prover.models.registry import lookup

    if lookup(spec) is not None:
        return False
    config = Path(spec).expanduser() / "config.json"
    if config.exists():
        return bool(json.loads(config.read_text()).get("is_encoder_decoder", False))
    return False


def _with_chat(spec: str, generator: Generator) -> Generator:
    """Registry instruct models see prompts in their chat template; any model with one can chat."""
    from prover.models.chat import ChatPrompts, ChatTemplate

    tokenizer_dir = getattr(generator, "tokenizer_dir", None)
    template = ChatTemplate.from_dir(Path(tokenizer_dir)) if tokenizer_dir else None
    if template is None:
        return generator
    return ChatPrompts(generator, template, wrap_prompts=wraps_prompts(spec, warn=True))


def wraps_prompts(spec: str, warn: bool = False) -> bool:
    """Whether `spec`'s prompts go inside its chat template: a registry instruct model's do;
    a local training checkpoint's do as its prover.json says it was trained on them
    (`prover.models.checkpoint`; training asks this same function); others' do not."""
    from prover.models.checkpoint import drifted_templates, read_meta
    from prover.models.registry import lookup

    entry = lookup(spec)
    if entry is not None:
        return entry.chat
    meta = read_meta(spec) if Path(spec).expanduser().is_dir() else None
    if meta is None:
        return False
    drifted = drifted_templates(meta)
    if warn and drifted:
        print(
            f"warning: {spec} was trained on an older version of the prompt template(s) "
            f"{', '.join(drifted)}",
            file=sys.stderr,
        )
    return bool(meta.get("wrap_prompts", False))
