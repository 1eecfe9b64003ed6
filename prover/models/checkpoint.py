"""Local training checkpoints (`training/`'s output) as models the prover loads.

A checkpoint directory is either a full Hugging Face model or a LoRA adapter (peft's
``adapter_config.json`` + ``adapter_model.safetensors``) over a base model. Beside the
weights, training writes ``prover.json``: which base it started from, whether the prompts
it was trained on went through the model's chat template (`wrap_prompts`, what
`prover.models.chat.ChatPrompts` does at inference), and a digest of each prompt template
it rendered, so the prover sends prompts exactly as the model saw them in training and can
say when the template has changed since.

An adapter is merged into its base once (`merge_adapter`), on the way to the CTranslate2
conversion that `prover.models.ct2` caches; `python -m training.merge` writes the same
merged directory for other tools.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from prover.models.base import ModelUnavailable

META = "prover.json"
ADAPTER_CONFIG = "adapter_config.json"


def read_meta(path: str | Path) -> dict[str, Any] | None:
    """The checkpoint's `prover.json`, or None for any other model."""
    file = Path(path).expanduser() / META
    if not file.is_file():
        return None
    return json.loads(file.read_text(encoding="utf-8"))


def write_meta(path: str | Path, meta: dict[str, Any]) -> None:
    (Path(path) / META).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")


def template_digest(name: str) -> str:
    """The digest of a prompt template file as the package ships it now (read as the
    package's data: `prover.prompts` renders templates and sits above the models)."""
    text = (resources.files("prover") / "prompts" / f"{name}.txt").read_bytes()
    return hashlib.sha256(text).hexdigest()[:16]


def drifted_templates(meta: dict[str, Any]) -> list[str]:
    """Templates whose text changed since the checkpoint was trained on them."""
    out = []
    for name, digest in (meta.get("templates") or {}).items():
        try:
            if template_digest(name) != digest:
                out.append(name)
        except OSError:
            out.append(name)
    return out


def is_adapter(path: str | Path) -> bool:
    return (Path(path).expanduser() / ADAPTER_CONFIG).is_file()


def base_model_dir(base: str) -> Path:
    """A base model named in a checkpoint: a registry name (its cached HF copy) or a directory."""
    from prover.models.registry import lookup

    if lookup(base) is not None:
        from prover.models.embedded import hf_model_dir

        return hf_model_dir(base)
    path = Path(base).expanduser()
    if not (path / "config.json").is_file():
        raise ModelUnavailable(f"base model {base} of the adapter is not a model directory")
    return path


def merge_adapter(adapter: str | Path, out: str | Path) -> Path:
    """Write base + LoRA adapter, merged, as a plain Hugging Face directory (weights, tokenizer,
    prover.json); written to a temporary folder renamed into place."""
    adapter, out = Path(adapter).expanduser(), Path(out).expanduser()
    try:
        from peft import PeftModel
    except ImportError as e:
        raise ModelUnavailable(
            f"{adapter} is a LoRA adapter; merging it needs peft (pip install peft)"
        ) from e
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    meta = read_meta(adapter) or {}
    base = (
        meta.get("base")
        or json.loads((adapter / ADAPTER_CONFIG).read_text())["base_model_name_or_path"]
    )
    print(f"{adapter}: merging the LoRA adapter into {base} once ...", file=sys.stderr)
    model = AutoModelForCausalLM.from_pretrained(base_model_dir(base), dtype=torch.float32)
    merged = PeftModel.from_pretrained(model, adapter).merge_and_unload()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        merged.save_pretrained(tmp, safe_serialization=True)
        AutoTokenizer.from_pretrained(adapter).save_pretrained(tmp)
        if meta:
            write_meta(tmp, {**meta, "merged_from": str(adapter.name)})
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out
