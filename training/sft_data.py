"""Supervised fine-tuning data: (prompt -> answer) pairs in exactly the form the prover sends.

Two kinds of pairs:
- (state -> tactic), from a corpus's `tactics.jsonl` (the format agreed with the corpus
  builder; see `training/README.md`): the prompt is the search's tactic prompt for that
  state, rendered by the same template object and the same `render` call the search makes
  (`tactic_prompt`), the answer is `" <tactic>\\n"` (the search stops at the newline);
- (statement -> whole proof), from checked proofs: the `whole` method's prompt for the
  theorem, the answer the proof and its `Qed.`.

A prompt that is not a completion goes through the model's chat template when the model
wraps prompts at inference (`ChatPrompts.prepare`, the function the runtime calls), so
training and inference cannot drift. Tokens are made by the tokenizer file the CTranslate2
runtime reads, the prompt and the answer separately, as at inference (the prompt is
encoded alone, the answer is generated after it): the loss covers the answer tokens only.

A template's shared text (its instructions and few-shot examples, `CompletionPrompt.shared`)
is the same leading tokens in every tactic example; a micro-batch holds examples of one
prefix, and the model reads that prefix once per micro-batch (`training.train.LossModule`),
exactly, with gradients: on a CPU that is most of the work saved (414 of a tactic prompt's
~450 tokens are the shared text).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from prover.models.base import CompletionPrompt
from prover.prompts import load_template
from prover.theorem import Theorem
from training.config import SFTSource

TACTIC_TEMPLATE = "coq_tactic"
WHOLE_TEMPLATE = "coq_whole"
IGNORE = -100  # label of a token the loss skips


@dataclass(frozen=True)
class Pair:
    """One training example as text: the prompt as the model receives it, and its answer."""

    prompt: str
    answer: str
    source: str
    theorem: str  # the theorem the pair comes from (data hygiene, provenance)
    statement: str = ""  # its statement where known (whole-proof pairs)
    state: str = ""  # the proof state (tactic pairs)
    shared: int = 0  # leading characters of `prompt` every prompt of its template shares


@dataclass
class Example:
    """One tokenized example: a shared prefix (maybe empty), then prompt rest + answer."""

    prefix: tuple[int, ...]
    ids: list[int]
    labels: list[int]  # IGNORE on prompt tokens, the token itself on answer tokens


@dataclass
class DataReport:
    """What became of each source's lines: the counts PROVENANCE.json records."""

    sources: dict[str, dict] = field(default_factory=dict)

    def count(self, source: str, key: str, n: int = 1) -> None:
        entry = self.sources.setdefault(source, {})
        entry[key] = entry.get(key, 0) + n


# --- prompts: the search's and the whole method's, rendered the same way ------------------
def tactic_prompt(state: str, theorem: Theorem) -> str:
    """The search's prompt for `state` (prover.methods.search renders the same template so)."""
    return load_template(TACTIC_TEMPLATE).render(theorem=theorem, state=state)


def tactic_answer(tactic: str) -> str:
    """One line: the search stops at the newline (multi-line tactics are joined)."""
    return " " + " ".join(tactic.split()) + "\n"


def whole_prompt(theorem: Theorem) -> str:
    """The `whole` method's first prompt for `theorem` (prover.methods.whole renders it so)."""
    return load_template(WHOLE_TEMPLATE).render(theorem=theorem)


def whole_answer(proof: str) -> str:
    body = proof.strip()
    for end in ("Qed.", "Defined."):
        if body.endswith(end):
            body = body[: -len(end)].rstrip()
    return "\n" + body + "\nQed."


def as_sent(prompt: str, chat) -> tuple[str, int]:
    """The text the model receives (through `ChatPrompts.prepare` when the model has a chat
    wrapper) and the length of its shared leading text."""
    text = chat.prepare(prompt) if chat is not None else prompt
    shared = text.shared if isinstance(text, CompletionPrompt) else 0
    return str(text), shared


# --- sources ----------------------------------------------------------------------------
def read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


DEFAULT_CORPUS = "corpus:default"


def tactics_file(path: str | Path) -> Path:
    """A corpus directory's tactics.jsonl, or the file itself; `corpus:default` is the
    corpus `prover corpus build` makes (`prover.corpus.default_corpus_dir()`)."""
    if str(path) == DEFAULT_CORPUS:
        try:
            from prover.corpus import default_corpus_dir
        except ImportError as e:
            raise FileNotFoundError(
                "corpus:default needs prover.corpus (`prover corpus build`), not in this checkout"
            ) from e
        path = default_corpus_dir()
    p = Path(path).expanduser()
    f = p / "tactics.jsonl" if p.is_dir() else p
    if not f.is_file():
        raise FileNotFoundError(f"no tactics file at {p} (a corpus directory or tactics.jsonl)")
    return f


def tactic_pairs(source: SFTSource, chat, report: DataReport) -> Iterator[Pair]:
    for row in read_jsonl(tactics_file(source.path)):
        report.count(source.name, "lines")
        missing = {"state", "tactic", "theorem"} - set(row)
        if missing:
            raise ValueError(f"{source.path}: a line lacks {', '.join(sorted(missing))}")
        if not row["tactic"].strip() or not row["state"].strip():
            report.count(source.name, "empty")
            continue
        theorem = Theorem(row["theorem"], "coq", row.get("statement", ""))
        text, shared = as_sent(tactic_prompt(row["state"], theorem), chat)
        yield Pair(
            text,
            tactic_answer(row["tactic"]),
            source.name,
            row["theorem"],
            state=row["state"],
            shared=shared,
        )


def proof_pairs(source: SFTSource, chat, report: DataReport, data_dir=None) -> Iterator[Pair]:
    """Checked proofs: results lines (status proved) or `prover learn`'s proofs.jsonl lines.

    A results line names its theorem but not its statement: that comes from the benchmark."""
    statements: dict[str, Theorem] | None = None
    for row in read_jsonl(Path(source.path).expanduser()):
        report.count(source.name, "lines")
        if not str(row.get("status", "proved")).startswith("proved") or not row.get("proof"):
            report.count(source.name, "not_proved")
            continue
        if row.get("statement"):
            theorem = Theorem(row["name"], "coq", row["statement"], row.get("header", ""))
        else:
            if statements is None:
                from prover.datasets import load_benchmark

                statements = {t.name: t for t in load_benchmark("minif2f-rocq", "all", data_dir)}
            if row["name"] not in statements:
                raise ValueError(f"{source.path}: {row['name']} has no statement here")
            theorem = statements[row["name"]]
        text, shared = as_sent(whole_prompt(theorem), chat)
        yield Pair(
            text,
            whole_answer(row["proof"]),
            source.name,
            theorem.name,
            statement=theorem.statement,
            shared=shared,
        )


def pairs(
    sources: list[SFTSource], chat, report: DataReport, exclude=None, data_dir=None
) -> list[Pair]:
    """Every source's pairs (each source's first `limit`, repeated `weight` times), without
    those `exclude` (a `training.hygiene.TestSet`) says come from a miniF2F test statement."""
    out: list[Pair] = []
    for source in sources:
        stream = (
            tactic_pairs(source, chat, report)
            if source.kind == "tactics"
            else proof_pairs(source, chat, report, data_dir)
        )
        kept: list[Pair] = []
        for pair in stream:
            if exclude is not None and exclude.contains(pair):
                report.count(source.name, "excluded_minif2f_test")
                continue
            kept.append(pair)
            if source.limit is not None and len(kept) >= source.limit:
                break
        report.count(source.name, "pairs", len(kept))
        out.extend(with_common_prefix(kept) * max(1, source.weight))
    return out


def with_common_prefix(group: list[Pair]) -> list[Pair]:
    """Mark, in pairs without a template-given shared text (chat-wrapped whole-proof prompts:
    the chat preamble and the few-shot proofs), the leading text they all share, up to its
    last blank line: a training-only saving (the prompt text is unchanged), and the encoder
    still checks that the prefix tokenizes the same alone as inside each prompt."""
    import os

    plain = [p for p in group if not p.shared]
    if len(plain) < 2:
        return group
    common = os.path.commonprefix([p.prompt for p in plain])
    cut = common.rfind("\n\n")
    if cut <= 0:
        return group
    return [p if p.shared else dataclasses.replace(p, shared=cut + 2) for p in group]


# --- tokens -----------------------------------------------------------------------------
class Encoder:
    """Token ids from the tokenizer file the CTranslate2 runtime reads, encoded as it does."""

    def __init__(self, tokenizer_json: str | Path):
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer_json))
        self._prefixes: dict[str, list[int]] = {}
        self._interned: dict[tuple[int, ...], tuple[int, ...]] = {}
        self._agreed: dict[str, int] = {}  # shared text -> tokens it has in common with prompts

    def example(self, pair: Pair) -> Example:
        prompt = self.tokenizer.encode(pair.prompt).ids  # with special tokens, as at inference
        answer = self.tokenizer.encode(pair.answer, add_special_tokens=False).ids
        return self._example(pair, prompt, answer)

    def examples(self, pairs_: list[Pair]) -> list[Example]:
        """`example` for many pairs, encoded in batches (the tokenizer's own threads)."""
        out = []
        for start in range(0, len(pairs_), 4096):
            chunk = pairs_[start : start + 4096]
            prompts = self.tokenizer.encode_batch([p.prompt for p in chunk])
            answers = self.tokenizer.encode_batch(
                [p.answer for p in chunk], add_special_tokens=False
            )
            out += [
                self._example(p, q.ids, a.ids)
                for p, q, a in zip(chunk, prompts, answers, strict=True)
            ]
        return out

    def _example(self, pair: Pair, prompt: list[int], answer: list[int]) -> Example:
        prefix: list[int] = []
        if pair.shared:
            text = pair.prompt[: pair.shared]
            if text not in self._prefixes:
                self._prefixes[text] = self.tokenizer.encode(text).ids
            candidate = self._prefixes[text]
            # The tokens the shared text has alone and inside the prompt, up to the first that
            # differs (a tokenizer may merge the text's last newline with what follows): every
            # prompt of the template then starts with these same tokens.
            k = self._agreed.get(text, 0)
            if not (0 < k < len(prompt) and prompt[:k] == candidate[:k]):  # else: as before
                k = 0
                while k < min(len(candidate), len(prompt) - 1) and prompt[k] == candidate[k]:
                    k += 1
                self._agreed[text] = k
            prefix = prompt[:k]
        rest = prompt[len(prefix) :]
        key = tuple(prefix)
        shared = self._interned.setdefault(key, key)  # one tuple per prefix, not one per example
        return Example(shared, rest + answer, [IGNORE] * len(rest) + answer)


def examples(
    pairs_: list[Pair], encoder: Encoder, seq_len: int, report: DataReport
) -> list[Example]:
    out = []
    for pair, ex in zip(pairs_, encoder.examples(pairs_), strict=True):
        if len(ex.prefix) + len(ex.ids) > seq_len:
            report.count(pair.source, "dropped_longer_than_seq_len")
            continue
        out.append(ex)
    return out


# --- batches ----------------------------------------------------------------------------
@dataclass
class SFTBatch:
    x: object  # LongTensor [B, L]: inputs after the prefix
    y: object  # LongTensor [B, L]: next-token labels, IGNORE where no loss
    prefix: object | None  # LongTensor [1, P] shared by every row, or None


class SFTBatches:
    """Micro-batches of examples sharing one prefix, in a seeded order per epoch.

    The order is a function of (examples, seed, epoch), so the data position (examples
    consumed by all ranks) is all resuming needs. Each global batch holds micro x world
    examples of one prefix group (a short group wraps around); rank r takes rows r::world."""

    def __init__(
        self,
        examples_: list[Example],
        micro_batch_size: int,
        seed: int,
        position: int = 0,
        rank: int = 0,
        world: int = 1,
        pad_id: int = 0,
    ):
        if not examples_:
            raise ValueError("the SFT data has no examples (all sources empty or dropped)")
        self.examples, self.micro, self.seed = examples_, micro_batch_size, seed
        self.rank, self.world, self.pad_id = rank, world, pad_id
        self.global_size = micro_batch_size * world
        self.position = position
        self._epoch_cache: tuple[int, list[list[int]]] | None = None

    def _epoch(self, epoch: int) -> list[list[int]]:
        if self._epoch_cache and self._epoch_cache[0] == epoch:
            return self._epoch_cache[1]
        rng = random.Random(f"{self.seed}-sft-{epoch}")
        groups: dict[tuple[int, ...], list[int]] = {}
        for i, ex in enumerate(self.examples):
            groups.setdefault(ex.prefix, []).append(i)
        batches = []
        for key in sorted(groups, key=lambda k: (len(k), k)):
            idx = groups[key]
            rng.shuffle(idx)
            for s in range(0, len(idx), self.global_size):
                chunk = idx[s : s + self.global_size]
                while len(chunk) < self.global_size:
                    chunk = chunk + idx[: self.global_size - len(chunk)]
                batches.append(chunk)
        rng.shuffle(batches)
        self._epoch_cache = (epoch, batches)
        return batches

    def batches_per_epoch(self) -> int:
        return len(self._epoch(0))

    def next(self) -> SFTBatch:
        import torch

        index = self.position // self.global_size
        per_epoch = self.batches_per_epoch()
        chunk = self._epoch(index // per_epoch)[index % per_epoch]
        rows = [self.examples[i] for i in chunk[self.rank :: self.world]]
        self.position += self.global_size
        width = (
            max(len(r.ids) for r in rows) - 1
            if not rows[0].prefix
            else max(len(r.ids) for r in rows)
        )
        x = torch.full((len(rows), width), self.pad_id, dtype=torch.long)
        y = torch.full((len(rows), width), IGNORE, dtype=torch.long)
        for b, r in enumerate(rows):
            if r.prefix:  # inputs: every id after the prefix; labels: the next one
                inputs, labels = r.ids, r.labels[1:] + [IGNORE]
                # the prefix's last position predicts ids[0], a prompt token (never an answer)
            else:
                inputs, labels = r.ids[:-1], r.labels[1:]
            x[b, : len(inputs)] = torch.tensor(inputs)
            y[b, : len(labels)] = torch.tensor(labels)
        prefix = torch.tensor([rows[0].prefix], dtype=torch.long) if rows[0].prefix else None
        return SFTBatch(x, y, prefix)

    def state_dict(self) -> dict:
        return {"position": self.position}


def fingerprint(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()[:16]
