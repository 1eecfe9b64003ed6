"""A scripted stand-in for the language model, for tests that must be deterministic.

It is not a model: it answers each prompt with fixed candidate tactics chosen by which
goal text appears in the prompt, with fixed log-probabilities. Searches driven by it still
run every tactic in the real proof assistant; only the proposals are scripted. Tests of the
real model use the embedded SmolLM2 instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prover.models.base import Sample, SamplingParams


@dataclass
class ScriptedGenerator:
    # (substring of the prompt, [(tactic, logprob), ...]); the first matching rule answers.
    rules: list[tuple[str, list[tuple[str, float]]]]
    prompts: list[str] = field(default_factory=list)
    calls: list[SamplingParams] = field(default_factory=list)  # each call's params, in order

    def generate(self, prompts: list[str], params: SamplingParams) -> list[list[Sample]]:
        self.calls.append(params)
        out = []
        for prompt in prompts:
            self.prompts.append(prompt)
            state = prompt.rsplit("Goals:", 1)[-1] if "Goals:" in prompt else prompt
            for needle, candidates in self.rules:
                if needle in state:
                    out.append(
                        [Sample(t, lp, max(len(t.split()), 1)) for t, lp in candidates[: params.n]]
                    )
                    break
            else:
                out.append([])
        return out
