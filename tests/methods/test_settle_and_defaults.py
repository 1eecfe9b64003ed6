"""One place maps a run's exceptions to statuses and copies the clock (`settle`); one function
gives the default budget per method and assistant; the wall limit's config key is stable."""

from __future__ import annotations

import time

import pytest

from prover.assistants.base import TACTIC_TIMEOUT, InvalidStatement, ProofEnvError, Status
from prover.batch.runner import EvalConfig
from prover.methods import Budget
from prover.methods.budget import BudgetError, Clock
from prover.methods.defaults import budget_defaults, default_budget
from prover.methods.result import ProofResult
from prover.methods.task import Task, settle
from prover.models.base import ModelUnavailable
from prover.theorem import Theorem

THM = Theorem("t", "coq", "Theorem t : True.")


def raising(error: Exception):
    def run(task: Task) -> ProofResult:
        with task.clock.checker_call():
            time.sleep(0.01)

        def tally(result: ProofResult) -> None:
            result.tactic_calls = 3

        task.tally = tally
        raise error

    return run


@pytest.mark.parametrize(
    ("error", "status", "reason"),
    [
        (InvalidStatement("no such symbol"), Status.INVALID_STATEMENT, "no such symbol"),
        (ModelUnavailable("down"), Status.ERROR, "model unavailable: down"),
        (ProofEnvError("coqtop died"), Status.ERROR, "coq failed: coqtop died"),
    ],
)
def test_a_run_that_raises_ends_with_its_status_counts_and_clock(error, status, reason):
    r = settle(Task(THM, None, Budget()), raising(error))
    assert r.status is status and r.reason == reason
    assert r.tactic_calls == 3  # what the method counted before it raised
    assert r.checker_seconds >= 0.01 and r.wall_seconds >= r.checker_seconds


def test_a_bug_is_not_a_status():
    with pytest.raises(ZeroDivisionError):
        settle(Task(THM, None, Budget()), raising(ZeroDivisionError()))


def test_the_task_always_has_a_clock_of_the_wall_limit():
    task = Task(THM, None, Budget(wall_limit=7.0))
    assert task.clock.budget == 7.0
    clock = Clock(3.0)
    assert Task(THM, None, Budget(), clock=clock).clock is clock


def test_the_wall_limit_keeps_its_config_key_and_config_ids():
    assert Budget(wall_limit=5).only({"wall_seconds"}) == {"wall_seconds": 5}
    assert Budget.from_keys({"wall_seconds": 5}) == Budget(wall_limit=5)
    assert (
        Budget().as_config()["wall_seconds"] == 600.0 and "wall_limit" not in Budget().as_config()
    )
    assert "wall_seconds" in Budget.config_keys() and "wall_limit" not in Budget.config_keys()
    # computed before the field was renamed: old results files must keep resuming
    assert EvalConfig("coq", "search").id == "90750ad8b72d"
    assert EvalConfig("coq", "portfolio", Budget(wall_limit=5)).id == "dd63205cdfa5"


def test_default_budgets_per_method_and_assistant():
    assert default_budget("search", "coq") == Budget(max_tokens=48)
    assert default_budget("whole", "lean").max_tokens == 256
    assert default_budget("sketch", "isabelle") == Budget(
        samples=1, max_tokens=1024, tactic_timeout=30.0
    )
    assert budget_defaults("portfolio", "coq") == {"max_tokens": 48}
    # only the keys the method reads take a default; the given values win
    b = default_budget("portfolio", "coq", frozenset({"wall_seconds"}), wall_seconds=30.0)
    assert b == Budget(wall_limit=30.0)
    # config ids of the CLI's default runs, computed before the defaults moved here
    sketch = EvalConfig("isabelle", "sketch", default_budget("sketch", "isabelle"))
    assert sketch.id == "955f8ec2af19"


def test_one_tactic_timeout_default():
    from prover.assistants.coq.env import CoqEnv

    assert Budget().tactic_timeout == CoqEnv.tactic_timeout == TACTIC_TIMEOUT == 10.0


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"samples": 0}, "samples"),
        ({"attempts": 0}, "attempts"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"expansions": -1}, "expansions"),
        ({"repair_rounds": -1}, "repair_rounds"),
        ({"wall_limit": -1.0}, "wall_seconds"),
        ({"tactic_timeout": 0.0}, "tactic_timeout"),
        ({"temperatures": (0.0, -0.5)}, "temperatures"),
        ({"samples": 2.5}, "samples"),
    ],
)
def test_a_budget_refuses_values_no_method_can_run_with(values, key):
    with pytest.raises(BudgetError) as caught:
        Budget(**values)
    assert caught.value.key == key and str(caught.value).startswith(key)


def test_a_budget_keeps_the_edge_values_that_mean_something():
    """A spent clock (wall 0), no model call (expansions 0), no repair: all legal."""
    b = Budget(wall_limit=0.0, expansions=0, repair_rounds=0, temperatures=())
    assert (b.wall_limit, b.expansions, b.repair_rounds) == (0.0, 0, 0)
