"""Keep third-party chatter (progress bars, load reports, accelerator notices) off the prover's output.

A normal run prints only the prover's own lines. Called from the prover's entry points (the
CLI, the model loaders) before the libraries are imported, so it never changes anything for
a program that imports the prover as a library and configured logging itself.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path


def quiet_libraries() -> None:
    # Progress bars: huggingface_hub downloads, transformers' "Loading weights", any tqdm.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # DeepSpeed (imported by transformers/accelerate when installed) announces its CPU
    # fallback when it finds no GPU; on a machine without one, say CPU up front.
    if not any(Path("/dev").glob("nvidia[0-9]*")):
        os.environ.setdefault("DS_ACCELERATOR", "cpu")
    for name in (
        "transformers",
        "accelerate",
        "deepspeed",
        "DeepSpeed",
        "huggingface_hub",
        "torch",
    ):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings(
        "ignore", category=UserWarning, module=r"(transformers|torch|accelerate)"
    )
    if "transformers" in sys.modules:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()


@contextlib.contextmanager
def silenced() -> Iterator[None]:
    """Library output (progress bars, load reports) dropped while a one-off conversion runs;
    its errors still surface as exceptions."""
    with (
        open(os.devnull, "w") as sink,
        contextlib.redirect_stderr(sink),
        contextlib.redirect_stdout(sink),
    ):
        yield
