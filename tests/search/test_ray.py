"""The Ray runner on a local 2-CPU cluster, with the live Coq backend in every actor."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="Ray is an optional extra (pip install -e '.[ray]')")

from prover.assistants.registry import CoqConfig  # noqa: E402
from prover.batch.config import EvalConfig  # noqa: E402
from prover.batch.ray import ProofActor, run_eval_ray  # noqa: E402
from prover.methods import Budget  # noqa: E402
from prover.results import read_results  # noqa: E402
from prover.theorem import Theorem  # noqa: E402

HEADER = "Require Import Arith Lia."


def dying_actor(marker_dir: Path) -> type:
    """An actor that kills its own process on chosen theorems, as an OOM kill or a segfault would."""

    class DyingActor(ProofActor):
        def prove(self, theorem):
            marker = marker_dir / f"died-{theorem.name}"
            if theorem.name == "always_dies" or (
                theorem.name == "dies_once" and not marker.exists()
            ):
                marker.touch()
                os._exit(1)
            return super().prove(theorem)

    return DyingActor


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def config() -> EvalConfig:
    return EvalConfig(
        "coq",
        "portfolio",
        budget=Budget(tactic_timeout=5.0),
        assistant=CoqConfig(portfolio=("lia.",)),
    )


def test_ray_actors_prove_and_resume(cluster, tmp_path):
    out = tmp_path / "r.jsonl"
    theorems = [
        Theorem(
            f"t{i}", "coq", f"Theorem t{i} : forall n : nat, n + {i} = {i} + n.", HEADER, "test"
        )
        for i in range(4)
    ]
    summary = run_eval_ray(theorems[:3], config(), out, workers=2)
    assert summary.counts["proved"] == 3
    summary = run_eval_ray(theorems, config(), out, workers=2)
    assert summary.skipped == 3 and [r.name for r in summary.records] == ["t3"]
    assert sorted(r.name for r in read_results(out)) == ["t0", "t1", "t2", "t3"]


def test_dead_actor_is_retried_once_then_error(cluster, tmp_path):
    out = tmp_path / "r.jsonl"
    theorems = [
        Theorem(n, "coq", f"Theorem {n} : 1 + 1 = 2.", HEADER, "test")
        for n in ("dies_once", "always_dies", "fine")
    ]
    run_eval_ray(theorems, config(), out, workers=2, actor_body=dying_actor(tmp_path))
    got = {r.name: r for r in read_results(out)}
    assert got["dies_once"].status == "proved"  # retried on a fresh actor
    assert (
        got["always_dies"].status == "error"
        and "worker died 2 time(s)" in got["always_dies"].reason
    )
    assert got["fine"].status == "proved"
