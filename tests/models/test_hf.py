"""The transformers runtime on the real embedded model (SmolLM2-135M) and a tiny seq2seq model."""

from __future__ import annotations

import pytest
import torch

from prover.models.base import ModelUnavailable, SamplingParams
from prover.models.hf import HFGenerator
from tests.tiny_models import tiny_t5

PROMPT = "Coq tactic for the goal `n + 0 = n`:\nTactic:"


@pytest.fixture(scope="session")
def embedded() -> HFGenerator:
    """SmolLM2 (fast) as a plain completion model: these tests check the runtime's scoring."""
    return HFGenerator("smollm2")


def manual_logprob(gen: HFGenerator, prompt: str, completion_ids: list[int]) -> float:
    ids = gen.tokenizer(prompt, return_tensors="pt")["input_ids"]
    full = torch.cat([ids, torch.tensor([completion_ids])], dim=1)
    with torch.no_grad():
        logp = torch.log_softmax(gen.model(full).logits[0, :-1].float(), dim=-1)
    positions = range(ids.shape[1] - 1, full.shape[1] - 1)
    return float(sum(logp[p, full[0, p + 1]] for p in positions))


def test_greedy_sample_logprob_matches_a_manual_forward_pass(embedded):
    [[s]] = embedded.generate([PROMPT], SamplingParams(n=1, max_tokens=12, stop=("\n",)))
    assert "\n" not in s.text and s.num_tokens >= 1
    kept = embedded.tokenizer(PROMPT + s.text, return_tensors="pt")["input_ids"][0].tolist()
    # Recompute from the generated token ids (re-tokenising text can merge tokens differently).
    out = embedded.model.generate(
        **embedded.tokenizer(PROMPT, return_tensors="pt"),
        max_new_tokens=s.num_tokens,
        do_sample=False,
    )
    completion = out[0, -s.num_tokens :].tolist()
    assert s.logprob == pytest.approx(manual_logprob(embedded, PROMPT, completion), abs=1e-3)
    assert s.logprob < 0 and kept


def test_batched_prompts_with_padding_score_like_single_prompts(embedded):
    params = SamplingParams(n=1, max_tokens=8, stop=("\n",))
    short, long = "Tactic:", PROMPT + " Another line of context to force left padding.\nTactic:"
    batched = embedded.generate([short, long], params)
    alone = [embedded.generate([p], params)[0] for p in (short, long)]
    for b, a in zip(batched, alone, strict=True):
        assert b[0].text == a[0].text
        assert b[0].logprob == pytest.approx(a[0].logprob, abs=1e-2)


def test_n_samples_are_distinct_and_sorted(embedded):
    [samples] = embedded.generate([PROMPT], SamplingParams(n=4, max_tokens=10, stop=("\n",)))
    texts = [s.text for s in samples]
    assert 1 <= len(samples) <= 4 and len(set(texts)) == len(texts)
    assert [s.logprob for s in samples] == sorted((s.logprob for s in samples), reverse=True)
    [sampled] = embedded.generate(
        [PROMPT], SamplingParams(n=3, temperature=1.0, max_tokens=10, stop=("\n",), seed=1)
    )
    assert all("\n" not in s.text for s in sampled)


def test_stop_string_cuts_text(embedded):
    [[s]] = embedded.generate(["Count: 1, 2, 3,"], SamplingParams(n=1, max_tokens=20, stop=(",",)))
    assert "," not in s.text and s.text.strip()


def test_missing_model_directory_is_a_clear_error(tmp_path):
    with pytest.raises(ModelUnavailable, match="not found"):
        HFGenerator(str(tmp_path / "no-model"))


def test_seq2seq_model(tmp_path):
    """A tiny random T5 (the ByT5/ReProver architecture) created here, loaded by path."""
    tiny_t5(tmp_path)
    gen = HFGenerator(str(tmp_path))
    assert gen.seq2seq
    out = gen.generate(["n + 0 = n", "a = b"], SamplingParams(n=2, max_tokens=5, stop=()))
    assert len(out) == 2 and all(1 <= len(o) <= 2 for o in out)
    assert all(s.num_tokens <= 5 and s.logprob <= 0 for o in out for s in o)
