"""vLLM runs only on a CUDA GPU; here it is skipped with the reason, elsewhere it runs for real."""

import importlib.util

import pytest

from prover.models.base import SamplingParams


def _gpu() -> bool:
    try:
        import torch

        return torch.cuda.is_available()
    except ImportError:
        return False


@pytest.mark.skipif(
    importlib.util.find_spec("vllm") is None or not _gpu(),
    reason="vLLM needs a CUDA GPU and the gpu extra (pip install -e '.[gpu]'); none here",
)
def test_vllm_generates_scored_samples_with_beams():
    from prover.models.vllm_engine import VLLMGenerator

    gen = VLLMGenerator("embedded", max_model_len=1024, gpu_memory_utilization=0.3)
    [beams] = gen.generate(["Tactic:"], SamplingParams(n=4, max_tokens=8, stop=("\n",)))
    assert 1 <= len(beams) <= 4 and all(s.logprob <= 0 for s in beams)
    [sampled] = gen.generate(
        ["Tactic:"], SamplingParams(n=3, temperature=1.0, max_tokens=8, stop=("\n",))
    )
    assert all("\n" not in s.text for s in sampled)


def test_vllm_missing_is_a_clear_error():
    if importlib.util.find_spec("vllm") is not None:
        pytest.skip("vLLM is installed here")
    from prover.models.base import ModelUnavailable
    from prover.models.vllm_engine import VLLMGenerator

    with pytest.raises(ModelUnavailable, match="pip install"):
        VLLMGenerator("embedded")
