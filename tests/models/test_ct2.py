"""The CTranslate2 runtime on the real models (SmolLM2 for speed, Qwen-0.5B where it matters),
the registry's weight verification, conversion caching, chat templates and lazy loading."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest

from prover.models import load_generator
from prover.models.base import LazyGenerator, ModelUnavailable, SamplingParams
from prover.models.chat import ChatPrompts, ChatTemplate
from prover.models.ct2 import (
    CALL_TIME_MARGIN,
    MIN_BEAM_STEPS,
    CT2Generator,
    ct2_model_dir,
    tokenizer_dir,
)
from prover.models.embedded import (
    EmbeddedModelMissing,
    WeightsMismatch,
    assemble,
    locate_parts,
    spec_of,
)
from prover.models.registry import ModelSpec, Part, lookup
from prover.prompts import load_template

PROMPT = "Coq tactic for the goal `n + 0 = n`:\nTactic:"
COQ_STATE = "x, y : R\nH0 : x + y = 10\nH1 : x - y = 2\n============================\nx = 6"


@pytest.fixture(scope="module")
def smol() -> CT2Generator:
    return CT2Generator("smollm2")


@pytest.fixture(scope="module")
def qwen() -> CT2Generator:
    try:
        return CT2Generator("qwen2.5-coder-0.5b")
    except EmbeddedModelMissing as e:
        pytest.skip(f"Qwen2.5-Coder-0.5B is not installed here ({e})")


def test_scores_are_the_cumulative_logprob_transformers_gives_the_same_tokens(smol):
    """The engine's score (int8) agrees with an fp32 forward pass over exactly those tokens."""
    import torch

    from prover.models.hf import HFGenerator

    [[greedy]] = smol.generate([PROMPT], SamplingParams(n=1, max_tokens=10, stop=()))
    assert greedy.num_tokens == 10 and greedy.logprob < 0
    ref = HFGenerator("smollm2")
    prompt_ids = ref.tokenizer(PROMPT)["input_ids"]
    completion = smol.tokenizer.encode(PROMPT + greedy.text).ids[len(prompt_ids) :]
    full = torch.tensor([prompt_ids + completion])
    with torch.no_grad():
        logp = torch.log_softmax(ref.model(full).logits[0, :-1].float(), dim=-1)
    expected = float(
        sum(logp[p, full[0, p + 1]] for p in range(len(prompt_ids) - 1, full.shape[1] - 1))
    )
    assert greedy.logprob == pytest.approx(expected, rel=0.15, abs=0.3)


def test_beams_are_distinct_sorted_and_scored(smol):
    [beams] = smol.generate([PROMPT], SamplingParams(n=4, max_tokens=12, stop=("\n",)))
    assert 1 <= len(beams) <= 4
    assert len({b.text for b in beams}) == len(beams)
    assert all(b.logprob < 0 and 1 <= b.num_tokens <= 12 and "\n" not in b.text for b in beams)
    assert [b.logprob for b in beams] == sorted((b.logprob for b in beams), reverse=True)
    # The best beam scores at least as well as greedy decoding (beam search explores more).
    [[greedy]] = smol.generate([PROMPT], SamplingParams(n=1, max_tokens=12, stop=("\n",)))
    assert beams[0].logprob >= greedy.logprob - 1e-3


def test_stop_string_inside_a_token_is_cut_as_text(smol):
    """Pick a stop string that starts in the middle of a generated token: the runtime must cut
    the text there, whatever the tokenizer, and count the tokens up to the one holding it."""
    prompt = "Coq tactics: intros, induction, destruct,"
    [[free]] = smol.generate([prompt], SamplingParams(n=1, max_tokens=16, stop=()))
    [raw] = smol.generator.generate_batch(
        [smol.tokenizer.encode(prompt).tokens], max_length=16, include_prompt_in_result=False
    )
    pieces = [smol.tokenizer.decode([i]) for i in raw.sequences_ids[0]]
    assert "".join(pieces) == free.text
    seen = ""
    for k in range(len(pieces)):  # noqa: B007 - k names the token holding the stop
        piece = pieces[k]
        inner = piece[1:]  # characters that start after the token's first one
        fresh = [c for c in inner if c not in seen + piece[0] and not c.isspace()]
        if fresh:
            stop = fresh[0]
            break
        seen += piece
    else:
        pytest.fail(f"no multi-character token in {pieces}")
    expected = free.text[: free.text.find(stop)]
    assert len(expected) > len(seen)  # the cut falls inside token k, not at a boundary
    [[cut]] = smol.generate([prompt], SamplingParams(n=1, max_tokens=16, stop=(stop,)))
    assert cut.text == expected and cut.num_tokens == k + 1
    assert cut.logprob > free.logprob  # fewer tokens kept, less negative cumulative score


def test_qwen_double_newline_token_stops_at_the_first_newline(qwen):
    """Qwen has tokens such as '.\\n\\n': a newline-token end marker would never fire."""
    prompt = load_template("coq_tactic").render(state=COQ_STATE)
    [[free]] = qwen.generate([prompt], SamplingParams(n=1, max_tokens=12, stop=()))
    [[stopped]] = qwen.generate([prompt], SamplingParams(n=1, max_tokens=12, stop=("\n",)))
    assert "\n" in free.text  # the model does go on past the line
    assert stopped.text == free.text[: free.text.find("\n")] and stopped.text.strip()
    assert stopped.num_tokens < free.num_tokens
    [beams] = qwen.generate([prompt], SamplingParams(n=4, max_tokens=12, stop=("\n",)))
    assert beams and all("\n" not in b.text for b in beams)


def test_n_samples_per_prompt(smol):
    """Sampling draws from the whole vocabulary (not greedy): five samples rarely coincide."""
    params = SamplingParams(n=5, temperature=1.0, max_tokens=8, stop=("\n",), seed=3)
    [a] = smol.generate([PROMPT], params)
    assert 3 <= len(a) <= 5 and len({s.text for s in a}) == len(a)
    assert all(s.logprob < 0 and s.num_tokens <= 8 and "\n" not in s.text for s in a)
    assert [s.logprob for s in a] == sorted((s.logprob for s in a), reverse=True)


def test_several_prompts_in_one_call_match_single_calls(smol):
    params = SamplingParams(n=1, max_tokens=8, stop=("\n",))
    prompts = ["Tactic:", PROMPT, PROMPT + " intros.\nNext tactic:"]
    batched = smol.generate(prompts, params)
    assert len(batched) == 3
    for prompt, [b] in zip(prompts, batched, strict=True):
        [[alone]] = smol.generate([prompt], params)
        # int8 kernels see padded batches: scores agree closely, not bit for bit
        assert b.text == alone.text and b.logprob == pytest.approx(alone.logprob, rel=0.1, abs=0.15)
    [many] = smol.generate(prompts[:1], SamplingParams(n=3, max_tokens=8, stop=("\n",)))
    assert 1 <= len(many) <= 3


def test_max_seconds_is_honoured(smol):
    long = SamplingParams(n=4, temperature=1.0, max_tokens=2000, stop=(), max_seconds=2.5)
    t0 = time.perf_counter()
    [samples] = smol.generate([PROMPT], long)
    assert time.perf_counter() - t0 < 2.5 + 1.0
    assert samples and all(s.num_tokens < 2000 for s in samples)
    # Beam search has no per-token callback: it gets the steps the clock can pay for. No
    # call starts with less left than reading its prompt may take.
    # The budget is what this machine's clock says the narrowest useful call needs (2.5 s
    # here, more on a slower machine), never what 2000 steps would need.
    smol.generate([PROMPT], SamplingParams(n=4, max_tokens=16, stop=()))  # measures a step
    read = len(smol.tokenizer.encode(PROMPT).tokens)
    needed = smol.beam_clock.predict(2, MIN_BEAM_STEPS, read) * CALL_TIME_MARGIN
    budget = max(2.5, needed + 0.5)
    assert smol.beam_clock.predict(4, 2000, read) > budget  # the cut is the clock's doing
    beams = SamplingParams(n=4, max_tokens=2000, stop=(), max_seconds=budget)
    t0 = time.perf_counter()
    [cut] = smol.generate([PROMPT], beams)
    assert time.perf_counter() - t0 < budget + 1.0
    assert cut and all(s.num_tokens < 2000 for s in cut)
    t0 = time.perf_counter()
    assert smol.generate([PROMPT], replace(beams, max_seconds=1.5)) == [[]]
    assert smol.generate([PROMPT], replace(long, max_seconds=1.5)) == [[]]
    assert time.perf_counter() - t0 < 0.1
    assert smol.generate([PROMPT], SamplingParams(n=4, max_seconds=0.0)) == [[]]


def test_a_call_is_narrowed_to_what_its_clock_can_pay(smol, monkeypatch):
    """Reading the prompt once per hypothesis cannot be interrupted: on a machine measured as
    slow (one recorded call of 4 hypotheses that took 1 s to its first token), a 64-wide call
    with 3 s left runs 8 wide (8 cost at most 2 s, 16 at most 4 s, and the margin leaves
    2.4 s), in both modes, and records what it cost."""
    from prover.models.decode_clock import DecodeClock

    read = len(smol.tokenizer.encode(PROMPT).tokens)
    for clock_name, params in (
        ("sample_clock", SamplingParams(n=64, temperature=1.0, max_tokens=8, stop=())),
        ("beam_clock", SamplingParams(n=64, max_tokens=8, stop=())),
    ):
        clock = DecodeClock()
        clock.record(4, 20, read, 1.0)
        monkeypatch.setattr(smol, clock_name, clock)
        [samples] = smol.generate([PROMPT], replace(params, max_seconds=3.0))
        assert sorted(clock.calls) == [4, 8], (clock_name, clock.calls)
        assert 1 <= len(samples) <= 8


def test_conversion_is_cached_by_source_identity(tmp_path, monkeypatch):
    """A user's HF directory converts once; a second load reuses it; a changed source reconverts."""
    import ctranslate2.converters

    from tests.tiny_models import tiny_llama

    # Built before the cache moves: the tiny model takes SmolLM2's tokenizer from the real
    # cache (an empty one would install SmolLM2 again first, about 40 s).
    src = tiny_llama(tmp_path / "model")
    monkeypatch.setenv("PROVER_MODEL_CACHE", str(tmp_path / "cache"))
    calls = []
    real = ctranslate2.converters.TransformersConverter.convert

    def counting(self, *args, **kwargs):
        calls.append(args)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ctranslate2.converters.TransformersConverter, "convert", counting)
    first = ct2_model_dir(str(src))
    assert (first / "model.bin").exists() and (first / "tokenizer" / "tokenizer.json").exists()
    assert ct2_model_dir(str(src)) == first and len(calls) == 1
    gen = load_generator(str(src), runtime="ct2", lazy=False)
    assert len(calls) == 1 and gen.generate(["a b"], SamplingParams(n=2, max_tokens=3, stop=()))
    (src / "config.json").write_text((src / "config.json").read_text() + "\n")
    os.utime(src / "config.json", ns=(1, 1))
    assert ct2_model_dir(str(src)) != first and len(calls) == 2


def _fake_site(root: Path, spec: ModelSpec, payloads: list[bytes]) -> None:
    """Installed distributions as pip leaves them: dist-info metadata and the data files."""
    for part, data in zip(spec.parts, payloads, strict=True):
        info = root / f"{part.package.replace('-', '_')}-{part.version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {part.package}\nVersion: {part.version}\n"
        )
        (root / part.path).parent.mkdir(parents=True, exist_ok=True)
        (root / part.path).write_bytes(data)


def test_split_weights_are_assembled_in_order_and_verified(tmp_path):
    payloads = [b"first part;", b"second;", b"third"]
    whole = b"".join(payloads)
    parts = tuple(
        Part(f"demo-part{i}", "1.0", f"demo_part{i}/data/part{i:02d}.bin") for i in (1, 2, 3)
    )
    spec = ModelSpec("demo", (), parts, len(whole), hashlib.sha256(whole).hexdigest(), chat=False)
    site = tmp_path / "site"
    _fake_site(site, spec, payloads)
    out = assemble(spec, tmp_path / "demo.gguf", search_path=[str(site)])
    assert out.read_bytes() == whole
    (site / parts[1].path).write_bytes(b"sec0nd;")  # same size, one byte changed
    with pytest.raises(WeightsMismatch, match="sha256"):
        assemble(spec, tmp_path / "bad.gguf", search_path=[str(site)])
    assert not (tmp_path / "bad.gguf").exists()  # a refused file is not left behind
    (site / parts[2].path).write_bytes(b"thirdX")
    with pytest.raises(WeightsMismatch, match="bytes"):
        assemble(spec, tmp_path / "bad.gguf", search_path=[str(site)])
    with pytest.raises(EmbeddedModelMissing, match="prover setup model"):
        locate_parts(spec, search_path=[str(tmp_path / "empty")])


def test_a_corrupted_copy_of_the_real_weights_is_refused(tmp_path):
    spec = spec_of("smollm2")
    [real] = locate_parts(spec)
    site = tmp_path / "site"
    _fake_site(site, spec, [b""])
    shutil.copyfile(real, site / spec.parts[0].path)
    assert assemble(spec, tmp_path / "x.gguf", search_path=[str(site)]).stat().st_size == spec.size
    with open(site / spec.parts[0].path, "r+b") as f:
        f.seek(spec.size // 2)
        byte = f.read(1)
        f.seek(spec.size // 2)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(WeightsMismatch, match="refusing"):
        assemble(spec, tmp_path / "x.gguf", search_path=[str(site)])


def test_chat_template_renders_as_transformers_does():
    from transformers import AutoTokenizer

    messages = [
        {"role": "system", "content": "You prove theorems."},
        {"role": "user", "content": "Goal: n = n"},
        {"role": "assistant", "content": "reflexivity."},
        {"role": "user", "content": "Goal: 1 + 1 = 2"},
    ]
    for name in ("smollm2", "qwen2.5-coder-0.5b"):
        try:
            path = tokenizer_dir(name)
        except EmbeddedModelMissing:
            continue
        template = ChatTemplate.from_dir(path)
        expected = AutoTokenizer.from_pretrained(path).apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True
        )
        assert template is not None and template.render(messages) == expected


def test_instruct_prompts_end_on_the_cue_inside_the_model_turn(smol):
    template = ChatTemplate.from_dir(tokenizer_dir("smollm2"))
    chat = ChatPrompts(smol, template)
    wrapped = chat.wrap("Examples...\nGoal: n = n\nTactic:")
    assert wrapped.endswith("<|im_start|>assistant\nTactic:")
    assert "Goal: n = n<|im_end|>" in wrapped
    [samples] = chat.generate(["Goal: n = n\nTactic:"], SamplingParams(n=2, max_tokens=6))
    assert samples and chat.stats.calls >= 1  # the runtime's own stats show through


def test_runtime_auto_and_lazy_loading(tmp_path):
    from tests.tiny_models import tiny_t5

    gen = load_generator("smollm2")
    assert isinstance(gen, LazyGenerator) and not gen.loaded and gen.stats.calls == 0
    [samples] = gen.generate([PROMPT], SamplingParams(n=1, max_tokens=4))
    assert gen.loaded and samples
    assert isinstance(gen.load(), ChatPrompts) and isinstance(gen.load().inner, CT2Generator)
    seq2seq = load_generator(str(tiny_t5(tmp_path)), lazy=False)
    # ReProver's architecture stays on transformers; its prompts are not wrapped (not an
    # instruct model of the registry), but its tokenizer's chat template serves chat().
    assert type(seq2seq.inner).__name__ == "HFGenerator" and not seq2seq.wrap_prompts
    missing = load_generator(str(tmp_path / "nowhere"))
    with pytest.raises(ModelUnavailable, match="not found"):
        missing.generate(["x"], SamplingParams(n=1))


def test_registry_names_and_defaults():
    assert lookup("embedded") is lookup("qwen2.5-coder-0.5b") and lookup("embedded").chat
    assert lookup("smollm2").size == 98_362_432 and lookup("nope") is None
    qwen15 = lookup("qwen2.5-coder-1.5b")
    assert len(qwen15.parts) == 22 and qwen15.parts[-1].path.endswith("part22/data/part22.bin")
    with pytest.raises(EmbeddedModelMissing, match="unknown model"):
        spec_of("gpt-17")


def test_lazy_loading_time_comes_out_of_the_callers_budget():
    seen = []

    class Recorder:
        def generate(self, prompts, params):
            seen.append(params.max_seconds)
            return [[] for _ in prompts]

    def slow_load():
        time.sleep(0.3)
        return Recorder()

    gen = LazyGenerator(slow_load)
    assert gen.generate(["x"], SamplingParams(max_seconds=1.0)) == [[]]  # too late to load
    assert not gen.loaded
    gen.generate(["x"], SamplingParams(max_seconds=2.0))
    gen.generate(["x"], SamplingParams(max_seconds=2.0))  # loaded once: the full budget now
    assert seen[0] <= 1.7 and seen[1] == 2.0
    # A load longer than the caller's budget leaves 0 s, never a negative number (which
    # SamplingParams refuses).
    late = LazyGenerator(slow_load)
    late.min_load_seconds = 0.0
    late.generate(["x"], SamplingParams(max_seconds=0.05))
    assert seen[-1] == 0.0


def test_setup_model_refuses_an_unknown_name_in_one_line():
    from typer.testing import CliRunner

    from prover.cli import app

    result = CliRunner().invoke(app, ["setup", "model", "gpt-17"])
    assert result.exit_code == 2 and "unknown model 'gpt-17'" in result.output


class Recording:
    """Test double of a runtime that records the prompts it is given (the wrapping is what is
    under test, not the model)."""

    def __init__(self):
        self.prompts: list[str] = []

    def generate(self, prompts, params):
        self.prompts.extend(prompts)
        return [[] for _ in prompts]


def test_few_shot_tactic_prompts_reach_the_model_unwrapped():
    from prover.prompts import load_template

    template = ChatTemplate.from_dir(tokenizer_dir("smollm2"))
    inner = Recording()
    chat = ChatPrompts(inner, template)
    tactic = load_template("coq_tactic")
    assert not tactic.chat and load_template("coq_whole").chat
    few_shot = tactic.render(theorem=None, state="n : nat\n============================\nn = n")
    chat.generate([few_shot, "Prove it.\nProof:"], SamplingParams(n=1))
    assert inner.prompts[0] == few_shot and "<|im_start|>" not in inner.prompts[0]
    assert inner.prompts[1].startswith("<|im_start|>")  # an instruction prompt is still a turn
    # a completion prompt stays one through the lazy wrapper too
    lazy = LazyGenerator(lambda: chat)
    lazy.generate([few_shot], SamplingParams(n=1))
    assert inner.prompts[2] == few_shot


def test_a_workers_thread_share_reaches_the_engine():
    gen = load_generator("smollm2", lazy=False, threads=1)
    assert isinstance(gen.inner, CT2Generator) and gen.inner.threads == 1
    [samples] = gen.generate([PROMPT], SamplingParams(n=1, max_tokens=4))
    assert samples


def test_a_templates_shared_text_is_read_once_and_answers_stay_the_same(smol):
    """The few-shot part every tactic prompt shares goes to the engine as its static prompt
    (its state kept between calls); the answers must be those of the whole prompt."""
    from prover.prompts import load_template

    template = load_template("coq_tactic")
    goal = "n : nat\nH : n + 1 = 3\n============================\nn = 2"
    prompt = template.render(state=goal)
    assert prompt.shared == len(template.shared) > 500
    params = SamplingParams(n=1, temperature=0.0, max_tokens=16, stop=template.stop)
    smol._static.clear()
    [plain] = smol.generate([str(prompt)], params)
    assert not smol._static  # a plain string never takes the shortcut
    [cached] = smol.generate([prompt], params)
    [again] = smol.generate([prompt], params)
    assert list(smol._static) == [template.shared]
    assert [s.text for s in cached] == [s.text for s in plain] == [s.text for s in again]
