"""What a model call can afford: an upper bound on its time from the recent calls' costs."""

import random

from prover.models.decode_clock import DecodeClock


def measured_cost(width: int, steps: int, prompt_tokens: int) -> float:
    """A cost shaped like Qwen-0.5B's on 2 cores at 32 beams (1.8 s for 1 step, 4.6 s for 4,
    8.2 s for 18): a fixed part that grows with the prompt and the beams, then steps that
    get cheaper as beams finish."""
    fixed = 0.4 + 0.0015 * prompt_tokens * width
    return fixed + 0.03 * width * (steps**0.6)


def test_a_short_call_after_a_long_one_is_not_underestimated():
    """The overrun seen on the valid sample: after an 18-step call of 8.2 s, a time per step
    of 8.2 / 18 = 0.45 s promised 12 steps in 6 s, which took about 6.6 s."""
    clock = DecodeClock()
    clock.record(32, 18, 60, 8.16)
    assert clock.affordable_steps(32, 6.0, 64, 60) == 0
    assert clock.affordable_steps(32, 9.0, 64, 60) >= 18


def test_predicted_time_never_falls_as_a_call_grows():
    clock = DecodeClock()
    clock.record(8, 10, 100, 3.0)
    clock.record(8, 3, 40, 1.5)
    times = [clock.predict(8, k, 100) for k in range(1, 40)]
    assert times == sorted(times)
    assert clock.predict(8, 5, 200) > clock.predict(8, 5, 100)
    assert clock.predict(16, 5, 100) > clock.predict(8, 5, 100)  # a new width: scaled up
    clock.record(32, 10, 100, 9.0)
    assert clock.predict(16, 5, 100) <= 9.0  # ... or bounded by a wider call


def test_a_call_is_narrowed_until_its_prompt_reading_fits():
    """32 samples took 8.4 s to give one token each with 3 s allowed: the prompt is read once
    per sample before the deadline callback can act. Halving the width until the first step
    fits gives fewer samples in time; nothing fits: no call."""
    clock = DecodeClock()
    clock.record(8, 1, 150, 1.0)  # 8 samples' first token after 1.0 s
    assert clock.widest(32, 10.0, 150) == 32
    assert clock.widest(32, 3.0, 150) == 16
    assert clock.widest(32, 1.5, 150) == 8
    assert clock.widest(32, 0.4, 150) == 0
    assert clock.widest(32, 3.0, 600) == 0  # a prompt 4x as long reads 4x as long
    assert clock.widest(16, 0.6, 150, narrowest=4) == 0


def test_the_chosen_steps_fit_the_seconds_whatever_the_call_history():
    """Under steady conditions the promise holds for any history of calls and any prompt."""
    rng = random.Random(7)
    for _ in range(300):
        clock = DecodeClock()
        width = rng.choice([8, 16, 32])
        for _ in range(rng.randint(1, 6)):
            w = rng.choice([w for w in (8, 16, 32) if w <= width])
            k, tokens = rng.randint(1, 40), rng.randint(10, 400)
            clock.record(w, k, tokens, measured_cost(w, k, tokens))
        seconds, tokens = rng.uniform(0.5, 15), rng.randint(10, 400)
        steps = clock.affordable_steps(width, seconds, 64, tokens)
        assert 0 <= steps <= 64
        if steps:
            assert measured_cost(width, steps, tokens) <= seconds


def test_an_unmeasured_generator_assumes_slow_steps():
    clock = DecodeClock()
    assert clock.affordable_steps(32, 2.0, 64, 50) == 0
    assert 1 <= clock.affordable_steps(8, 5.0, 64, 50) <= 5
    assert clock.affordable_steps(8, 1000.0, 12, 50) == 12  # never more than asked for
