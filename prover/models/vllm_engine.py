"""vLLM's offline engine as a Generator (GPU), as Llemma's harness ran its models.

All prompts of a call go to the engine together, so its continuous batching fills the GPU.
At temperature 0 with n > 1 and `beam_at_zero`, beam search returns the n best beams
(Llemma's setting); vLLM moved beam search from SamplingParams(use_beam_search=True) to
LLM.beam_search(), and both spellings are handled.
"""

from __future__ import annotations

from prover.models.base import GeneratorStats, ModelUnavailable, Sample, SamplingParams, best_unique


class VLLMGenerator:
    def __init__(
        self,
        model: str,
        tensor_parallel_size: int = 1,
        dtype: str = "auto",
        gpu_memory_utilization: float = 0.9,
        max_model_len: int | None = 4096,
        **engine_options,
    ):
        try:
            import vllm
        except ImportError as e:
            raise ModelUnavailable(
                "vLLM is not installed: pip install -e '.[gpu]' on a machine with a CUDA GPU"
            ) from e
        from prover.models.embedded import hf_model_dir
        from prover.models.registry import lookup

        path = str(hf_model_dir(model)) if lookup(model) else model
        self._vllm = vllm
        self.name = model
        self.llm = vllm.LLM(
            model=path,
            tensor_parallel_size=tensor_parallel_size,
            dtype=dtype,
            gpu_memory_utilization=gpu_memory_utilization,
            max_model_len=max_model_len,
            **engine_options,
        )
        self.tokenizer = self.llm.get_tokenizer()
        self.stats = GeneratorStats()

    def generate(self, prompts: list[str], params: SamplingParams) -> list[list[Sample]]:
        if params.beams:
            results = self._beam(prompts, params)
        else:
            sp = self._vllm.SamplingParams(
                n=params.n,
                temperature=params.temperature,
                top_p=params.top_p,
                max_tokens=params.max_tokens,
                stop=list(params.stop),
                logprobs=0,
                seed=params.seed,
            )
            results = []
            for out in self.llm.generate(prompts, sp, use_tqdm=False):
                results.append(
                    [
                        Sample(o.text, float(o.cumulative_logprob or 0.0), len(o.token_ids))
                        for o in out.outputs
                    ]
                )
        deduped = [best_unique(r) for r in results]
        self.stats.calls += 1
        return deduped

    def _beam(self, prompts: list[str], params: SamplingParams) -> list[list[Sample]]:
        if hasattr(self.llm, "beam_search"):  # vLLM >= 0.6.3
            from vllm.beam_search import BeamSearchParams

            outs = self.llm.beam_search(
                [{"prompt": p} for p in prompts],
                BeamSearchParams(beam_width=params.n, max_tokens=params.max_tokens),
            )
            results = []
            for prompt, out in zip(prompts, outs, strict=True):
                prompt_tokens = len(self.tokenizer(prompt)["input_ids"])
                samples = []
                for seq in out.sequences:
                    text = seq.text or ""
                    text = _cut(
                        text[len(prompt) :] if text.startswith(prompt) else text, params.stop
                    )
                    samples.append(
                        Sample(
                            text, float(seq.cum_logprob), max(len(seq.tokens) - prompt_tokens, 1)
                        )
                    )
                results.append(samples)
            return results
        sp = self._vllm.SamplingParams(
            n=params.n,
            best_of=params.n,
            use_beam_search=True,
            temperature=0.0,
            max_tokens=params.max_tokens,
            stop=list(params.stop),
            logprobs=0,
        )
        return [
            [
                Sample(o.text, float(o.cumulative_logprob or 0.0), len(o.token_ids))
                for o in out.outputs
            ]
            for out in self.llm.generate(prompts, sp, use_tqdm=False)
        ]


def _cut(text: str, stops: tuple[str, ...]) -> str:
    cuts = [text.find(s) for s in stops if s in text]
    return text[: min(cuts)] if cuts else text
