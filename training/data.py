"""The data mixture: sources -> documents -> tokens -> packed fixed-length sequences.

Each source yields documents; the mixture interleaves sources by weight with a seeded
generator, tokenises each document, appends EOS as the document separator, and packs the
token stream into sequences of exactly `seq_len + 1` tokens (inputs and shifted labels).
The whole pipeline is a deterministic function of (config, seed), so the data position is
just the number of sequences already consumed: resuming skips that many (cheap for local
files; streaming sources replay their stream).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

from training.config import SourceConfig

TEXT_SUFFIXES = {".v", ".lean", ".thy", ".txt", ".md", ".tex", ".py", ".ml", ".hs", ".agda", ".mm"}


def documents(source: SourceConfig, seed: int, epoch: int) -> Iterator[str]:
    """One pass over a source's documents, in a seeded order for local sources."""
    rng = random.Random(f"{seed}-{source.name}-{epoch}")
    if source.kind == "files":
        paths = sorted(
            p
            for p in Path(source.path).glob(source.glob)
            if p.is_file() and p.suffix in TEXT_SUFFIXES
        )
        if not paths:
            raise FileNotFoundError(
                f"source {source.name}: no text files under {source.path} matching {source.glob}"
            )
        rng.shuffle(paths)
        for p in paths:
            yield p.read_text(encoding="utf-8", errors="replace")
    elif source.kind == "text":
        yield from (
            t for t in Path(source.path).read_text(encoding="utf-8").split("\n\n\n") if t.strip()
        )
    elif source.kind == "jsonl":
        lines = [
            ln for ln in Path(source.path).read_text(encoding="utf-8").splitlines() if ln.strip()
        ]
        rng.shuffle(lines)
        for ln in lines:
            yield json.loads(ln)[source.text_field]
    elif source.kind == "parquet":
        import pyarrow.parquet as pq

        texts = (
            pq.read_table(source.path, columns=[source.text_field])
            .column(source.text_field)
            .to_pylist()
        )
        rng.shuffle(texts)
        yield from texts
    elif source.kind == "hf":
        import datasets  # only for users with the hub

        stream = datasets.load_dataset(
            source.path, source.hf_config, split=source.hf_split, streaming=True
        )
        for row in stream.shuffle(seed=seed + epoch, buffer_size=10_000):
            yield row[source.text_field]
    else:
        raise ValueError(f"source {source.name}: unknown kind {source.kind!r}")


def _endless(source: SourceConfig, seed: int) -> Iterator[str]:
    epoch = 0
    while True:
        yield from documents(source, seed, epoch)
        epoch += 1


def mixture_documents(sources: list[SourceConfig], seed: int) -> Iterator[str]:
    """Interleave sources: each next document comes from a source drawn by weight."""
    if not sources:
        raise ValueError("the mixture has no sources")
    rng = random.Random(seed)
    streams = [_endless(s, seed) for s in sources]
    weights = [s.weight for s in sources]
    while True:
        yield next(streams[rng.choices(range(len(streams)), weights)[0]])


def packed_sequences(
    sources: list[SourceConfig], tokenizer, seq_len: int, seed: int, skip: int = 0
) -> Iterator[list[int]]:
    """Sequences of seq_len + 1 token ids; `skip` resumes after that many sequences."""
    eos = tokenizer.eos_token_id
    buf: list[int] = []
    produced = 0
    for doc in mixture_documents(sources, seed):
        buf.extend(tokenizer(doc, add_special_tokens=False)["input_ids"])
        buf.append(eos)
        while len(buf) >= seq_len + 1:
            seq, buf = buf[: seq_len + 1], buf[seq_len + 1 :]
            produced += 1
            if produced > skip:
                yield seq


class Batches:
    """Micro-batches as tensors, counting consumed sequences so the position can be saved."""

    def __init__(
        self,
        sources,
        tokenizer,
        seq_len: int,
        micro_batch_size: int,
        seed: int,
        position: int = 0,
        rank: int = 0,
        world: int = 1,
    ):
        self.position = position  # sequences consumed by all ranks together
        self.micro, self.rank, self.world = micro_batch_size, rank, world
        self._it = packed_sequences(sources, tokenizer, seq_len, seed, skip=position)

    def next(self):
        import torch

        rows = []
        for i in range(self.micro * self.world):
            seq = next(self._it)
            if i % self.world == self.rank:  # each rank takes its own slice of the global stream
                rows.append(seq)
        self.position += self.micro * self.world
        t = torch.tensor(rows, dtype=torch.long)
        return t[:, :-1], t[:, 1:]

    def state_dict(self) -> dict:
        return {"position": self.position}
