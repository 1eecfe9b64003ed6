"""CTranslate2 runtime: the default for local causal models (CPU int8, GPU float16).

On 2 CPU cores it is 5-8x faster than transformers for the search's calls (8 beams or 8
samples of a few dozen tokens), which is the difference between a model that contributes
to a proof search and one that only burns its budget. LeanCopilot uses the same engine.

- Conversion (a Hugging Face directory, a LoRA training checkpoint merged into its base,
  a hub id, or a registry model's GGUF -> CTranslate2 int8) runs once and is cached under ``<model cache>/ct2``, keyed by the source's identity
  (a registry model's sha256; a directory's path, file sizes and mtimes; a hub id). The
  tokenizer is kept beside the converted weights, so nothing else is needed at run time.
- Scores come from the engine: `Sample.logprob` is the cumulative log-probability of the
  tokens kept (``length_penalty=0`` makes the engine's score that sum) and `num_tokens`
  their count; no second scoring pass.
- Stop strings are handled as text, whatever the tokenizer: every vocabulary entry whose
  text contains a stop string ends a hypothesis (Qwen has tokens holding two newlines, so
  the newline token alone would not stop it), and the decoded text is cut at the first
  stop string. A stop string spread over several tokens is cut from the text too; the score
  then covers the tokens generated up to the cut.
- Sampling draws from the whole vocabulary (top-p applies); `seed` seeds the engine, but
  its generator is per thread, so repeated calls in one process are not reproducible.
- `max_seconds` is honoured: sampling stops through the engine's per-token callback; beam
  search (no callback) gets a step budget from its recent calls' measured costs
  (`prover.models.decode_clock`); a call whose prompt reading would not fit the time
  left is narrowed (fewer beams or samples) or not made.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from prover.models.base import (
    MIN_CALL_SECONDS,
    CompletionPrompt,
    GeneratorStats,
    ModelUnavailable,
    Sample,
    SamplingParams,
    best_unique,
)
from prover.models.checkpoint import is_adapter, merge_adapter
from prover.models.decode_clock import DecodeClock
from prover.models.embedded import cache_lock, cache_root, gguf_to_hf, model_home
from prover.models.registry import lookup

TOKENIZER_DIR = "tokenizer"
# Fewer decoding steps than this give most tactics cut short (`intros; nra.` is 6 tokens):
# a beam call that cannot afford them is narrowed, or not made.
MIN_BEAM_STEPS = 8
# The same call varies by about a quarter on an idle machine (32 samples' first token after
# 4.5 s, then 5.5 s): what cannot be interrupted must fit the time left with this margin.
CALL_TIME_MARGIN = 1.25


def source_identity(path: Path) -> str:
    """A directory's identity without reading its weights: path, and each file's name, size, mtime."""
    h = hashlib.sha256(str(path.resolve()).encode())
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        st = f.stat()
        h.update(f"{f.relative_to(path)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:12]


def ct2_model_dir(model: str, quantization: str = "int8") -> Path:
    """The CTranslate2 conversion of `model` (registry name, HF directory or hub id), converting once."""
    spec = lookup(model)
    local = Path(model).expanduser()
    if spec is not None:
        target = model_home(spec) / f"ct2-{quantization}"
    elif local.is_dir():
        if not (local / "config.json").exists() and not is_adapter(local):
            raise ModelUnavailable(
                f"{local} is not a Hugging Face model directory (no config.json) "
                "nor a LoRA adapter (no adapter_config.json)"
            )
        target = (
            cache_root() / "ct2" / f"{local.resolve().name}-{source_identity(local)}" / quantization
        )
    elif model.startswith((".", "/", "~")) or local.suffix:
        raise ModelUnavailable(f"model directory {model} not found")
    else:  # a hub id
        target = cache_root() / "ct2" / model.replace("/", "--") / quantization
    if _complete(target):
        return target
    with cache_lock(target):
        if not _complete(target):
            _convert(model, spec, target, quantization)
    return target


def tokenizer_dir(model: str) -> Path:
    """The tokenizer kept beside a model's CTranslate2 weights (converting the model if needed)."""
    return ct2_model_dir(model) / TOKENIZER_DIR


def _complete(target: Path) -> bool:
    return (target / "model.bin").exists() and (target / TOKENIZER_DIR / "tokenizer.json").exists()


def _convert(model: str, spec, target: Path, quantization: str) -> None:
    from prover.models.quiet import quiet_libraries, silenced

    quiet_libraries()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        source = model
        if spec is not None:
            kept = model_home(spec) / "hf"  # the transformers runtime's copy, when it exists
            source = str(kept if (kept / "config.json").exists() else gguf_to_hf(spec, tmp / "hf"))
        elif is_adapter(model):  # a LoRA training checkpoint: merged into its base first
            source = str(merge_adapter(model, tmp / "merged"))
        print(
            f"{model}: converting to CTranslate2 {quantization} once into {target} ...",
            file=sys.stderr,
        )
        from ctranslate2.converters import TransformersConverter
        from transformers import AutoTokenizer

        out = tmp / "ct2"
        with silenced():
            TransformersConverter(source, low_cpu_mem_usage=True).convert(
                str(out), quantization=quantization, force=True
            )
            AutoTokenizer.from_pretrained(source).save_pretrained(out / TOKENIZER_DIR)
        if not (out / TOKENIZER_DIR / "tokenizer.json").exists():
            raise ModelUnavailable(f"{model}: its tokenizer has no fast (tokenizer.json) form")
        if target.exists():
            shutil.rmtree(target)
        out.rename(target)
    except (OSError, ValueError) as e:
        raise ModelUnavailable(f"cannot convert {model!r} to CTranslate2: {e}") from e
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # the intermediate HF copy goes too


class CT2Generator:
    def __init__(
        self,
        model: str,
        device: str = "auto",
        compute_type: str | None = None,
        threads: int | None = None,
    ):
        import ctranslate2
        from tokenizers import Tokenizer

        self._ct2 = ctranslate2
        if device == "auto":
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        self.name, self.device = model, device
        self.threads = threads or 0  # CTranslate2's intra_threads (0: all cores)
        self.path = ct2_model_dir(model)
        try:
            self.generator = ctranslate2.Generator(
                str(self.path),
                device=device,
                compute_type=compute_type or ("float16" if device == "cuda" else "int8"),
                intra_threads=self.threads,
            )
        except (RuntimeError, ValueError) as e:
            raise ModelUnavailable(f"cannot load {model!r} in CTranslate2: {e}") from e
        self.tokenizer_dir = self.path / TOKENIZER_DIR
        self.tokenizer = Tokenizer.from_file(str(self.tokenizer_dir / "tokenizer.json"))
        self._special = {
            i for i, t in self.tokenizer.get_added_tokens_decoder().items() if t.special
        } | set(_config_eos(self.path))
        # Recent calls' costs: beam search's (its step budget) and sampling's first step
        # (reading the prompt once per sample, before the deadline callback can stop it).
        self.beam_clock = DecodeClock()
        self.sample_clock = DecodeClock()
        self._static: dict[str, list[str]] = {}  # a template's shared text -> its tokens
        self._stop_ids(("\n",))  # the usual stop string's vocabulary scan, done while loading
        self.stats = GeneratorStats()

    # --- the Generator seam --------------------------------------------------------------
    def generate(self, prompts: list[str], params: SamplingParams) -> list[list[Sample]]:
        t0 = time.perf_counter()
        deadline = t0 + params.max_seconds if params.max_seconds is not None else None
        if not prompts or (deadline is not None and params.max_seconds < MIN_CALL_SECONDS):
            return [[] for _ in prompts]
        if len(prompts) > 1 and self.device == "cpu":
            return self._one_by_one(prompts, params, deadline)
        n = params.n
        beams = params.beams
        start = [enc.tokens for enc in self.tokenizer.encode_batch(prompts)]
        static = self._shared_tokens(prompts, start)
        if static:
            start = [tokens[len(static) :] for tokens in start]
        read = max(len(tokens) for tokens in start)  # the tokens each hypothesis reads
        max_length = params.max_tokens
        if params.max_seconds is not None:  # what cannot be interrupted must fit the time left
            left = params.max_seconds - (time.perf_counter() - t0)
            n, max_length = self._fit(beams, n, left, params.max_tokens, read)
            if n == 0:
                return [[] for _ in prompts]
        options: dict = {
            "max_length": max_length,
            "include_prompt_in_result": False,
            "return_scores": True,
            "return_end_token": True,
            "length_penalty": 0.0,  # the score is then the cumulative log-probability
            "end_token": sorted(self._special | self._stop_ids(params.stop)),
            "num_hypotheses": n,
        }
        if beams:
            options["beam_size"] = n
        if static:
            options["static_prompt"] = static  # the engine keeps its state between calls
        steps = _StepLog()
        if not beams:
            if params.seed is not None:
                self._ct2.set_random_seed(params.seed)
            sampled = params.temperature > 0 or n > 1
            options |= {
                "beam_size": 1,
                "sampling_topk": 0 if sampled else 1,  # 0: the whole vocabulary
                "sampling_topp": params.top_p,
                "sampling_temperature": params.temperature if params.temperature > 0 else 1e-3,
            }
            options["callback"] = steps.record(deadline)
        called = time.perf_counter()
        try:
            results = self.generator.generate_batch(start, **options)
        except RuntimeError as e:
            raise ModelUnavailable(f"CTranslate2 failed: {e}") from e
        elapsed = time.perf_counter() - t0
        if not beams and steps.first is not None:  # the prompt read, and one token
            self.sample_clock.record(n, 1, read, steps.first - called)
        out = []
        for b, r in enumerate(results):
            samples = []
            for ids, score in zip(r.sequences_ids, r.scores, strict=True):
                text, kept = self._cut(ids, params.stop)
                if beams:  # no per-token scores in beam search: the score covers every token
                    samples.append(Sample(text, float(score), len(ids)))
                else:
                    samples.append(Sample(text, steps.logprob(b, ids, kept, score), kept))
            out.append(best_unique(samples))
        if beams:
            longest = max((len(ids) for r in results for ids in r.sequences_ids), default=0)
            self.beam_clock.record(n, longest, read, elapsed)
        self.stats.calls += 1
        return out

    # --- plumbing ------------------------------------------------------------------------
    def _one_by_one(
        self, prompts: list[str], params: SamplingParams, deadline: float | None
    ) -> list[list[Sample]]:
        """Several prompts on a CPU, one call each, each with what is left of the deadline:
        on 2 cores one batch of 4 prompts x 8 beams took 3.3x as long as 4 calls (padding to
        the longest prompt, and the engine's work grows with the batch; a GPU has the room)."""
        out = []
        for prompt in prompts:
            left = None if deadline is None else max(deadline - time.perf_counter(), 0.0)
            out.append(self.generate([prompt], replace(params, max_seconds=left))[0])
        return out

    def _fit(self, beams: bool, n: int, seconds: float, wanted: int, read: int) -> tuple[int, int]:
        """(hypotheses, decoding steps) that fit in `seconds`, narrowed from `n` by halving;
        (0, 0) when none fit. Beams get at least `MIN_BEAM_STEPS` steps (or `wanted`), since
        a beam cut earlier is a fragment of a tactic; sampling is stopped by its callback, so
        only its first step (reading the prompt) must fit."""
        seconds /= CALL_TIME_MARGIN
        if not beams:
            clock = self.sample_clock if self.sample_clock.measured else self.beam_clock
            n = clock.widest(n, seconds, read)
            return n, wanted
        useful = min(wanted, MIN_BEAM_STEPS)
        width = self.beam_clock.widest(n, seconds, read, narrowest=2, steps=useful)
        if width == 0:
            return 0, 0
        return width, self.beam_clock.affordable_steps(width, seconds, wanted, read)

    def _shared_tokens(self, prompts: list[str], tokens: list[list[str]]) -> list[str]:
        """The tokens of the leading text all `prompts` share as one template's completions
        (its instructions and examples), when they tokenize the same alone as in each prompt;
        [] otherwise. Reading them once saved 40% of a Qwen-0.5B tactic call (3.98 -> 2.28 s)."""
        if not all(isinstance(p, CompletionPrompt) and p.shared for p in prompts):
            return []
        shared = {p[: p.shared] for p in prompts}
        if len(shared) != 1:
            return []
        text = shared.pop()
        static = self._static.get(text)
        if static is None:
            static = self._static[text] = self.tokenizer.encode(text).tokens
        if any(t[: len(static)] != static or len(t) == len(static) for t in tokens):
            return []
        return static

    def _cut(self, ids: list[int], stops: tuple[str, ...]) -> tuple[str, int]:
        """The text before the first stop string, and the tokens up to the one that completed
        it (an end-of-sequence token is not counted, as in the transformers runtime)."""
        body = ids[:-1] if ids and ids[-1] in self._special else ids
        text = self.tokenizer.decode(body, skip_special_tokens=True)
        hits = [text.find(s) for s in stops if s and s in text]
        if not hits:
            return text, len(body)
        for k in range(1, len(body) + 1):
            if any(
                s and s in self.tokenizer.decode(body[:k], skip_special_tokens=True) for s in stops
            ):
                return text[: min(hits)], k
        return text[: min(hits)], len(body)

    def _stop_ids(self, stops: tuple[str, ...]) -> set[int]:
        return set(_vocab_ids_containing(self.tokenizer_dir, tuple(s for s in stops if s)))


class _StepLog:
    """Per-token log-probabilities from the engine's callback (sampling and greedy decoding),
    so a sample cut at a stop string is scored over exactly the tokens it keeps; the same
    callback stops decoding when the next step would end past the deadline (the engine
    finishes the step it is in: 32 samples of Qwen-0.5B on 2 cores take about 0.5 s a step,
    so stopping only once the deadline had passed overran it by 1.2 s)."""

    def __init__(self) -> None:
        self.tokens: dict[tuple[int, int], list[tuple[int, float]]] = {}
        self.first: float | None = None  # when the first token came (the prompt was read)
        self._step = -1
        self._step_at = 0.0
        self._step_seconds = 0.0  # the last decoding step's duration

    def record(self, deadline: float | None):
        def callback(step) -> bool:
            now = time.perf_counter()
            if self.first is None:
                self.first = now
            if step.step != self._step:  # the first hypothesis of a new step
                if self._step >= 0:
                    self._step_seconds = now - self._step_at
                self._step, self._step_at = step.step, now
            self.tokens.setdefault((step.batch_id, step.hypothesis_id), []).append(
                (step.token_id, step.log_prob)
            )
            return deadline is not None and now + self._step_seconds >= deadline

        return callback

    def logprob(self, batch: int, ids: list[int], kept: int, score: float) -> float:
        for (b, _), steps in self.tokens.items():
            if b == batch and [t for t, _ in steps] == ids:
                return float(sum(lp for _, lp in steps[:kept]))
        return float(score)  # not seen step by step (cannot happen): the engine's total


def _config_eos(path: Path) -> list[int]:
    """The generation config's end-of-sequence ids (an instruct model's end-of-turn among them)."""
    config = path / TOKENIZER_DIR / "generation_config.json"
    if not config.exists():
        return []
    eos = json.loads(config.read_text()).get("eos_token_id")
    return [eos] if isinstance(eos, int) else list(eos or [])


@lru_cache(maxsize=16)
def _vocab_ids_containing(tokenizer_dir: Path, stops: tuple[str, ...]) -> frozenset[int]:
    """Every vocabulary entry whose text holds one of `stops` (computed once per tokenizer)."""
    if not stops:
        return frozenset()
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer_dir / "tokenizer.json"))
    size = tok.get_vocab_size(with_added_tokens=True)
    texts = tok.decode_batch([[i] for i in range(size)], skip_special_tokens=False)
    return frozenset(i for i, t in enumerate(texts) if any(s in t for s in stops))


if __name__ == "__main__":  # verify and convert now: python -m prover.models.ct2 [NAME ...]
    from prover.models.registry import DEFAULT

    for arg in sys.argv[1:] or [DEFAULT]:
        print(ct2_model_dir(arg))
