"""The config dict a results line carries is the resume key: typing the options must not
change it for any run that was valid before (the digests below are those of earlier runs)."""

import pytest

from prover.assistants.registry import (
    CoqConfig,
    IsabelleConfig,
    IsabelleServerConfig,
    LeanConfig,
    backend,
)
from prover.batch.config import EvalConfig, ModelOptions
from prover.batch.summary import BatchSummary, summarize
from prover.methods import Budget
from prover.results import ResultRecord

OPENAI = ModelOptions(base_url="http://h:8000/v1")


@pytest.mark.parametrize(
    ("config", "digest"),
    [
        (EvalConfig("coq"), "90750ad8b72d"),
        (EvalConfig("coq", "portfolio"), "d89aa473c83d"),
        (
            EvalConfig(
                "coq", "whole", Budget(samples=2), model="m", runtime="openai", model_options=OPENAI
            ),
            "d6a39ee31c71",
        ),
        (
            EvalConfig("coq", "search", assistant=CoqConfig(automation="classic"), knn=True),
            "00879f34de84",
        ),
        (EvalConfig("lean", "search", assistant=LeanConfig()), "50923185f902"),
        (
            EvalConfig(
                "isabelle", "sketch", Budget(samples=1, max_tokens=1024, tactic_timeout=30.0)
            ),
            "955f8ec2af19",
        ),
        (EvalConfig("isabelle", "sledgehammer", assistant=IsabelleConfig()), "e95e69c6dd82"),
        (
            EvalConfig(
                "isabelle",
                "sledgehammer",
                assistant=IsabelleConfig(
                    server=IsabelleServerConfig(address="10.0.0.2", port=4711, password="pw")
                ),
            ),
            "0c7ee8b25a60",
        ),
        (
            EvalConfig(
                "isabelle",
                "sledgehammer",
                assistant=IsabelleConfig(server=IsabelleServerConfig(name="shared")),
            ),
            "75e9f3f94d81",
        ),
    ],
)
def test_config_digests_of_valid_runs_are_unchanged(config, digest):
    assert config.id == digest


def test_config_dicts_keep_their_model_options_and_server_shapes():
    assert EvalConfig("coq").as_dict()["model_options"] == {}
    served = EvalConfig("coq", model="m", runtime="openai", model_options=OPENAI)
    assert served.as_dict()["model_options"] == {"base_url": "http://h:8000/v1"}
    assert EvalConfig("isabelle", "sketch").as_dict()["assistant"] == {
        "check_timeout": 120.0,
        "server": {},
    }


@pytest.mark.parametrize("runtime", ["auto", "ct2", "hf", "vllm"])
def test_a_model_option_the_runtime_does_not_read_is_refused(runtime):
    with pytest.raises(ValueError, match=f"base_url is read by runtime openai only, not {runtime}"):
        EvalConfig("coq", runtime=runtime, model_options=OPENAI)


def test_the_isabelle_env_gets_only_the_server_fields_given(monkeypatch):
    seen = {}
    module = backend("isabelle").module()
    monkeypatch.setattr(module, "create_env", lambda **kw: seen.update(kw) or "env")
    server = IsabelleServerConfig(name="shared", server_command=("isabelle", "server"))
    assert backend("isabelle").create_env(IsabelleConfig(30.0, server)) == "env"
    assert seen == {
        "check_timeout": 30.0,
        "name": "shared",
        "server_command": ["isabelle", "server"],
    }


def test_the_lean_env_gets_its_config_fields(monkeypatch):
    seen = {}
    module = backend("lean").module()
    monkeypatch.setattr(module, "create_env", lambda **kw: seen.update(kw) or "env")
    config = LeanConfig(project_dir="p", repl_command=("repl",), portfolio=("simp",))
    backend("lean").create_env(config, tactic_timeout=3.0)
    assert seen == {
        "tactic_timeout": 3.0,
        "backend": "repl",
        "project_dir": "p",
        "memory_cap_gb": 8.0,
        "allow_native_decide": False,
        "repl_command": ["repl"],
    }


def _record(name: str, status: str, wall: float, model: float, checker: float) -> ResultRecord:
    return ResultRecord(
        name=name,
        system="coq",
        method="search",
        model="",
        status=status,
        wall_seconds=wall,
        model_seconds=model,
        checker_seconds=checker,
    )


def test_summarize_counts_and_times():
    recs = [
        _record("a", "proved", 4.0, 1.0, 1.0),
        _record("b", "failed", 2.0, 1.0, 0.5),
        _record("c", "error", 2.0, 0.0, 0.0),
    ]
    s = summarize(recs)
    assert isinstance(s, BatchSummary)
    assert (s.theorems, s.proved, s.failed, s.error, s.invalid_statement) == (3, 1, 1, 1, 0)
    assert (s.wall_seconds, s.model_seconds, s.checker_seconds) == (8.0, 2.0, 1.5)
    assert s.median_seconds == 2.0 and s.other_seconds == 4.5
    assert s.overhead_share == pytest.approx(4.5 / 8.0)
    assert summarize([]) == BatchSummary()


def test_a_worker_closes_its_env_on_leaving_its_with_block(monkeypatch):
    from prover.batch.worker import Worker

    class Env:
        closed = False

        def close(self):
            self.closed = True

    env = Env()
    monkeypatch.setattr(backend("coq").module(), "create_env", lambda **kw: env)
    with Worker(EvalConfig("coq", "portfolio")) as worker:
        assert worker.env is env and not env.closed
    assert env.closed
