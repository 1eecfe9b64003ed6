"""Hugging Face transformers runtime: causal LMs and seq2seq models (ReProver's ByT5), CPU or GPU.

All prompts of a call and all n samples of each go through one `generate` call. The
log-probability of each kept completion is then recomputed by one batched forward pass
over prompt + completion, so it is the model's true log-probability of exactly the tokens
kept (up to and including the one that completed the stop string), whatever decoding
(greedy, beam, sampling at a temperature) produced them.
"""

from __future__ import annotations

from pathlib import Path

from prover.models.base import GeneratorStats, ModelUnavailable, Sample, SamplingParams, best_unique


class HFGenerator:
    def __init__(
        self, model: str, device: str = "cpu", dtype: str | None = None, threads: int | None = None
    ):
        import torch
        from transformers import (
            AutoConfig,
            AutoModelForCausalLM,
            AutoModelForSeq2SeqLM,
            AutoTokenizer,
        )

        from prover.models.embedded import hf_model_dir
        from prover.models.registry import lookup

        if threads:
            torch.set_num_threads(threads)
        self.name = model
        path = str(hf_model_dir(model)) if lookup(model) else model
        if (path.startswith((".", "/", "~")) or Path(path).suffix) and not Path(
            path
        ).expanduser().exists():
            raise ModelUnavailable(f"model directory {path} not found")
        try:
            config = AutoConfig.from_pretrained(path)
            self.seq2seq = bool(getattr(config, "is_encoder_decoder", False))
            self.tokenizer = AutoTokenizer.from_pretrained(path)
            cls = AutoModelForSeq2SeqLM if self.seq2seq else AutoModelForCausalLM
            torch_dtype = getattr(torch, dtype) if dtype else torch.float32
            self.model = cls.from_pretrained(path, dtype=torch_dtype).to(device).eval()
        except OSError as e:
            raise ModelUnavailable(f"cannot load model {model!r}: {str(e).splitlines()[0]}") from e
        self.device = device
        self.tokenizer_dir = path if Path(path).expanduser().is_dir() else None
        if not self.seq2seq:
            self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.stats = GeneratorStats()

    def generate(self, prompts: list[str], params: SamplingParams) -> list[list[Sample]]:
        import torch

        n = params.n
        enc = self.tokenizer(prompts, return_tensors="pt", padding=True).to(self.device)
        kwargs: dict = {
            "max_new_tokens": params.max_tokens,
            "num_return_sequences": n,
            "pad_token_id": self.tokenizer.pad_token_id,
        }
        if params.beams:
            kwargs |= {"do_sample": False, "num_beams": n}
        elif params.temperature <= 0:  # greedy; several answers at zero sample almost greedily
            kwargs |= {"do_sample": n > 1, "num_beams": 1}
            if n > 1:
                kwargs["temperature"] = 1e-3
        else:
            kwargs |= {
                "do_sample": True,
                "temperature": params.temperature,
                "top_p": params.top_p,
                "num_beams": 1,
            }
        if params.seed is not None:
            torch.manual_seed(params.seed)
        if params.stop:
            kwargs |= {"stop_strings": list(params.stop), "tokenizer": self.tokenizer}
        if params.max_seconds is not None:  # 0 (a spent clock) is a limit, not none
            kwargs["max_time"] = max(params.max_seconds, 0.5)
        with torch.no_grad():
            out = self.model.generate(**enc, **kwargs)
        prompt_len = 0 if self.seq2seq else enc["input_ids"].shape[1]
        start = 1 if self.seq2seq else 0  # seq2seq outputs begin with the decoder start token
        kept: list[tuple[str, list[int]]] = []
        for row in out:
            tokens = [t for t in row[prompt_len + start :].tolist()]
            kept.append(self._cut(tokens, params.stop))
        logprobs = self._score(enc, out, kept, n, prompt_len, start)
        results = [
            best_unique(
                [
                    Sample(kept[j][0], logprobs[j], len(kept[j][1]))
                    for j in range(i * n, (i + 1) * n)
                ]
            )
            for i in range(len(prompts))
        ]
        self.stats.calls += 1
        return results

    def _cut(self, tokens: list[int], stops: tuple[str, ...]) -> tuple[str, list[int]]:
        """Keep tokens up to the one that completes a stop string (or EOS); text stops before it."""
        special = {self.tokenizer.eos_token_id, self.tokenizer.pad_token_id}
        for k in range(len(tokens)):
            if tokens[k] in special:
                return self.tokenizer.decode(tokens[:k]), tokens[:k]
            if stops:
                text = self.tokenizer.decode(tokens[: k + 1])
                hits = [text.find(s) for s in stops if s in text]
                if hits:
                    return text[: min(hits)], tokens[: k + 1]
        return self.tokenizer.decode(tokens), tokens

    def _score(self, enc, out, kept, n: int, prompt_len: int, start: int) -> list[float]:
        """Sum of the model's log-probabilities of each kept completion's tokens."""
        import torch

        rows = len(kept)
        width = max((len(t) for _, t in kept), default=0)
        if width == 0:
            return [0.0] * rows
        pad = self.tokenizer.pad_token_id
        comp = torch.full((rows, width), pad, dtype=torch.long)
        mask = torch.zeros((rows, width), dtype=torch.long)
        for j, (_, toks) in enumerate(kept):
            comp[j, : len(toks)] = torch.tensor(toks, dtype=torch.long)
            mask[j, : len(toks)] = 1
        comp, mask = comp.to(self.device), mask.to(self.device)
        input_ids = enc["input_ids"].repeat_interleave(n, dim=0)
        attn = enc["attention_mask"].repeat_interleave(n, dim=0)
        with torch.no_grad():
            if self.seq2seq:
                dec_start = out[:, :1]
                dec = torch.cat([dec_start, comp], dim=1)
                logits = self.model(
                    input_ids=input_ids, attention_mask=attn, decoder_input_ids=dec[:, :-1]
                ).logits
                logp = torch.log_softmax(logits.float(), dim=-1)
            else:
                ids = torch.cat([input_ids, comp], dim=1)
                am = torch.cat([attn, mask], dim=1)
                positions = (am.cumsum(-1) - 1).clamp(
                    min=0
                )  # left padding must not shift positions
                logits = self.model(
                    input_ids=ids, attention_mask=am, position_ids=positions
                ).logits[:, prompt_len - 1 : -1]
                logp = torch.log_softmax(logits.float(), dim=-1)
        token_lp = logp.gather(-1, comp.unsqueeze(-1)).squeeze(-1) * mask
        return token_lp.sum(dim=1).tolist()
