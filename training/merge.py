"""Merge a LoRA training checkpoint into its base: a plain Hugging Face directory.

    python -m training.merge runs/NAME/checkpoint-N runs/NAME/merged

The prover does this by itself on the way to CTranslate2 (`prover.models.checkpoint`);
this command writes the merged model for other tools (transformers, vLLM, llama.cpp).
"""

from __future__ import annotations

import argparse

from prover.models.checkpoint import merge_adapter


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("adapter", help="a checkpoint holding adapter_config.json")
    ap.add_argument("out", help="the merged model's directory (replaced if it exists)")
    args = ap.parse_args()
    print(merge_adapter(args.adapter, args.out))


if __name__ == "__main__":
    main()
