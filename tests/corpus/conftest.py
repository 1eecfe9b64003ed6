"""The corpus the corpus and retrieval tests share, replayed on real Coq once per session.

Two stdlib files (Arith/Between.v, Reals/Rbasic_fun.v) and a planted library of three files
(one good, one that cannot replay, one stating a real miniF2F test statement) are replayed
through coqtop into the default corpus directory of a temporary cache
(`PROVER_CORPUS_CACHE`), where the search's workers look for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from prover.corpus import BuildReport, build_corpus, default_corpus_dir, minif2f_test_statements
from prover.datasets import load_benchmark

GOOD = """Require Import Arith Lia.

Lemma planted_add_0 : forall n : nat, n + 0 = n.
Proof.
  intros n.
  lia.
Qed.

(* A proof that fails on replay: closed as Admitted, its rows dropped, later proofs still cite it. *)
Lemma planted_flaky : 2 + 2 = 4.
Proof.
  no_such_tactic_anywhere.
Qed.

Module Inner.
Lemma planted_uses_flaky : 2 + 2 = 4 /\\ True.
Proof.
  split; [apply planted_flaky | trivial].
Qed.
End Inner.
"""

BAD = """Require Import NoSuchLibraryAnywhere.
Lemma planted_bad : forall x, no_such_function x = x.
Proof. intros. reflexivity. Qed.
"""


@dataclass
class Corpus:
    dir: Path
    report: BuildReport  # the second build's (the planted library)
    cache: Path  # a PROVER_CORPUS_CACHE under which `dir` is the default corpus
    test_statements: Callable[[], tuple[set[str], str]]
    planted: str  # the planted library's spec for build_corpus


TEST_NAME = "amc12b_2002_p2"  # a miniF2F-rocq test theorem that `intros; lia` proves


@pytest.fixture(scope="session")
def corpus(tmp_path_factory, data_dir: Path):
    cache = tmp_path_factory.mktemp("cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("PROVER_CORPUS_CACHE", str(cache))
    planted = tmp_path_factory.mktemp("planted")
    (planted / "Good.v").write_text(GOOD)
    (planted / "Bad.v").write_text(BAD)
    test = next(t for t in load_benchmark("minif2f-rocq", "test", data_dir) if t.name == TEST_NAME)
    copy = test.statement.replace(f"Theorem {TEST_NAME}", "Lemma planted_copy", 1)
    (planted / "Planted.v").write_text(
        f"{test.header}\nRequire Import Lia.\n{copy}\nProof. intros; lia. Qed.\n"
    )
    tests = lambda: minif2f_test_statements(str(data_dir))  # noqa: E731
    out = default_corpus_dir()
    build_corpus(
        ["coq-stdlib"],
        out_dir=out,
        dirs=("Arith/Between.v", "Reals/Rbasic_fun.v"),
        test_statements=tests,
        progress=False,
    )
    report = build_corpus(
        [f"planted={planted}:Planted"], out_dir=out, dirs=(), test_statements=tests, progress=False
    )
    mp.undo()  # tests that need the default location set PROVER_CORPUS_CACHE themselves
    return Corpus(out, report, cache, tests, f"planted={planted}:Planted")
