"""The default automation portfolio on the live Coq: what its new closers prove, and when.

Each new closer proves a small theorem of its kind (written for these tests) that the
classic portfolio's decision procedures do not; the root runs the cheap closers first, so
a theorem they all fail on reaches its first model call in seconds, and the hammer runs
only after the model's first expansions; `--automation classic` gives back the first
portfolio, its imports and its schedule.
"""

from __future__ import annotations

import time

import pytest

from prover.assistants.automation import Portfolio, root_schedule
from prover.assistants.base import Finished, Status
from prover.assistants.coq import create_env, default_portfolio
from prover.assistants.coq.portfolio import (
    CHEAP_PORTFOLIO,
    CLASSIC_IMPORTS,
    CLASSIC_PORTFOLIO,
    PORTFOLIO_IMPORTS,
    SLOW_PORTFOLIO,
)
from prover.assistants.registry import CoqConfig, backend
from prover.batch.config import EvalConfig
from prover.batch.worker import Worker
from prover.methods import Budget, prove
from prover.methods.search import best_first_search
from prover.models.base import Sample
from prover.theorem import Theorem
from tests.search.test_search_coq import TEMPLATE

REALS = "Require Import Reals.\nOpen Scope R_scope."
# (kind, header, statement, a word the closing tactic must contain)
NEW_KINDS = [
    (
        "psatz",
        REALS,
        "Theorem t : forall x y : R, 0 < x -> 0 < y -> x + y = 2 -> x * y <= 1.",
        "psatz",
    ),
    ("split_Rabs", REALS, "Theorem t : forall x : R, Rabs (x - 1) < 2 -> -1 < x < 3.", "Rabs"),
    (
        "function definition",
        REALS,
        "Theorem t : forall f : R -> R, (forall x, f x = 2 * x + 3) -> f 4 = 11.",
        "rewrite",
    ),
    (
        "mod (ZifyNat)",
        "Require Import Arith.",
        "Theorem t : forall n : nat, n mod 4 = 3 -> (2 * n) mod 4 = 2.",
        "lia",
    ),
]
# The classic portfolio without its hammers (sauto stays): each of these in its own env.
CLASSIC_DECISION = tuple(t for t in CLASSIC_PORTFOLIO if "hammer" not in t)


@pytest.fixture(scope="module")
def default_env():
    e = create_env(tactic_timeout=10.0)
    yield e
    e.close()


@pytest.fixture(scope="module")
def classic_env():
    e = create_env(tactic_timeout=10.0, automation="classic")
    yield e
    e.close()


def thm(header: str, statement: str) -> Theorem:
    return Theorem(name="t", system="coq", statement=statement, header=header)


@pytest.mark.parametrize(("kind", "header", "statement", "word"), NEW_KINDS)
def test_each_new_closer_proves_what_the_classic_portfolio_does_not(
    kind, header, statement, word, default_env, classic_env
):
    t = thm(header, statement)
    r = prove(t, "portfolio", Budget(wall_limit=60), default_env, None, default_portfolio())
    assert r.status is Status.PROVED, (kind, r.reason)
    assert word in r.proof, (kind, r.proof)
    assert r.proof.strip() in CHEAP_PORTFOLIO, (kind, r.proof)  # a cheap closer, not a hammer
    # The classic tactics (3 s each here; hammer left out for time) under the classic imports.
    root = classic_env.open(t)
    for tactic in CLASSIC_DECISION:
        result = classic_env.run_tactic(root, tactic, timeout=3)
        assert not isinstance(result, Finished), (kind, tactic)


def test_cheap_forms_come_first_and_the_hammers_last():
    p = default_portfolio()
    assert isinstance(p, Portfolio)
    assert p == (*CHEAP_PORTFOLIO, *SLOW_PORTFOLIO)
    assert all("hammer" in t or "sauto" in t for t in p.slow)
    assert p.index("intros; lia.") == 0 and "intros; hammer." not in p.cheap
    assert p.cheap_seconds <= 3 and p.slow_after >= 1
    # a plain tuple keeps the first schedule: everything first, at the tactic timeout
    assert root_schedule(CLASSIC_PORTFOLIO, 10.0) == (CLASSIC_PORTFOLIO, 10.0, (), 0)
    assert root_schedule(p, 10.0) == (p.cheap, p.cheap_seconds, p.slow, p.slow_after)
    # the quick portfolio of every new state gets the new cheap closers, no hammer
    quick = backend("coq").quick_portfolio(p)
    assert "psatz R 2." in quick and "split_Rabs; nra." in quick
    assert not any("hammer" in t or "sauto" in t for t in quick)


class Spy:
    """The real CoqEnv, with the time and text of every tactic it runs (not a stand-in)."""

    def __init__(self, env, t0: float):
        self.env, self.t0, self.calls = env, t0, []

    def run_tactic(self, state, tactic, timeout=None):
        self.calls.append((time.monotonic() - self.t0, tactic))
        return self.env.run_tactic(state, tactic, timeout)

    def __getattr__(self, name):
        return getattr(self.env, name)


class Timed:
    """Scripted proposals (a useless `intros`), with the time of every model call."""

    def __init__(self, t0: float):
        self.t0, self.calls = t0, []

    def generate(self, prompts, params):
        self.calls.append(time.monotonic() - self.t0)
        return [[Sample("intros.", -0.5, 1)] for _ in prompts]


HARD = thm(REALS, "Theorem t : forall x : R, 0 < x -> exp x > 1 + x + x ^ 2 / 3.")


def test_a_failing_theorem_reaches_the_model_in_seconds_and_the_hammer_after(default_env):
    t0 = time.monotonic()
    env, gen = Spy(default_env, t0), Timed(t0)
    budget = Budget(samples=1, expansions=3, attempts=3, wall_limit=40)
    r = best_first_search(HARD, env, gen, budget, default_portfolio(), template=TEMPLATE)
    assert r.status is Status.FAILED
    assert r.wall_seconds <= 40 + 2  # the wall-clock bound
    first_model = gen.calls[0]
    root_before = [tac for at, tac in env.calls if at < first_model]
    assert root_before == list(CHEAP_PORTFOLIO)  # the cheap part, in order, nothing else
    # The classic root ran 18 tactics at 10 s (hammer and sauto first) before the model:
    # a median of about 49 s on failing theorems. Here the cheap part fails in seconds.
    assert first_model < 12, first_model
    hammer = [at for at, tac in env.calls if tac == "intros; hammer."]
    assert len(hammer) == 1 and sum(at < hammer[0] for at in gen.calls) >= 4, (hammer, gen.calls)
    assert any(at > hammer[0] for at in gen.calls)  # the model goes on after the hammer


def test_without_a_model_the_portfolio_runs_the_hammer_right_after_the_cheap_part(default_env):
    t0 = time.monotonic()
    env = Spy(default_env, t0)
    r = best_first_search(HARD, env, None, Budget(wall_limit=25), default_portfolio())
    assert r.status is Status.FAILED and r.wall_seconds <= 25 + 2
    tactics = [tac for _, tac in env.calls]
    assert tactics[: len(CHEAP_PORTFOLIO)] == list(CHEAP_PORTFOLIO)
    assert "intros; hammer." in tactics[len(CHEAP_PORTFOLIO) :]


def test_automation_classic_reaches_the_env_the_portfolio_and_the_config_id():
    default = Worker(EvalConfig("coq", "portfolio"))
    classic = Worker(EvalConfig("coq", "portfolio", assistant=CoqConfig(automation="classic")))
    try:
        assert default.env.extra_header == PORTFOLIO_IMPORTS
        assert classic.env.extra_header == CLASSIC_IMPORTS
        assert default.config.portfolio_tactics == default_portfolio()
        assert classic.config.portfolio_tactics == CLASSIC_PORTFOLIO
        assert not isinstance(classic.config.portfolio_tactics, Portfolio)
        assert default.config.id != classic.config.id
        assert classic.config.as_dict()["assistant"]["automation"] == "classic"
    finally:
        default.close()
        classic.close()
    with pytest.raises(ValueError, match="unknown automation"):
        CoqConfig(automation="fast")


def test_the_automation_option_reaches_the_results_config(data_dir, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from prover.cli import app
    from prover.results import read_results

    monkeypatch.setenv("PROVER_DATA_DIR", str(data_dir))
    out = tmp_path / "r.jsonl"
    args = ["eval", "--benchmark", "minif2f-rocq", "--split", "valid", "--method", "portfolio"]
    args += ["--names", "mathd_numbertheory_81", "--wall-seconds", "30", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--automation", "classic"])
    assert result.exit_code == 0, result.output
    (record,) = read_results(out)
    assert record.status.startswith("proved")
    assert record.config["assistant"]["automation"] == "classic"
    bad = CliRunner().invoke(app, [*args, "--automation", "none"])
    assert bad.exit_code == 2 and "unknown automation" in bad.output


def test_a_portfolio_keeps_its_schedule_through_pickling_and_refuses_a_bad_one():
    import pickle

    p = default_portfolio()
    q = pickle.loads(pickle.dumps(p))  # worker processes and Ray actors receive it so
    assert isinstance(q, Portfolio) and q == p
    assert (q.cheap, q.slow, q.cheap_seconds, q.slow_after) == (
        p.cheap,
        p.slow,
        p.cheap_seconds,
        p.slow_after,
    )
    with pytest.raises(ValueError, match="cheap_seconds"):
        Portfolio(("lia.",), cheap_seconds=0)
    with pytest.raises(ValueError, match="slow_after"):
        Portfolio(("lia.",), slow_after=-1)
