"""Data hygiene: no miniF2F test statement in any training set, checked and counted.

The test statements come through the project's own dataset loader (`prover.datasets`,
benchmark minif2f-rocq, split test), so the check reads the same records the benchmark
runs on. A training pair is excluded when
- it comes from a theorem named as a test theorem,
- its statement (whole-proof pairs) is a test statement, name and whitespace aside, or
- its proof state's goal (tactic pairs) is a test statement's conclusion, whitespace
  aside (a corpus proof of the same proposition under another name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from training.sft_data import Pair


def normalize(text: str) -> str:
    return " ".join(text.split())


_HEAD = re.compile(r"^\s*(Theorem|Lemma|Example|Fact|Remark|Corollary|Proposition)\s+[\w']+")


def statement_key(statement: str) -> str:
    """A statement without its keyword and name, whitespace aside: a renamed copy matches."""
    return normalize(_HEAD.sub("", statement))


def conclusion(statement: str) -> str:
    """The proposition after a statement's last top-level colon, without its final period
    (`Theorem t (x : R) (h : x = 1) : x + 1 = 2.` -> `x + 1 = 2`)."""
    depth, cut = 0, -1
    for i, ch in enumerate(statement):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif (
            ch == ":"
            and depth == 0
            and statement[i + 1 : i + 2] not in ("=", ":")
            and (i == 0 or statement[i - 1] != ":")
        ):
            cut = i
    body = statement[cut + 1 :] if cut >= 0 else statement
    return normalize(re.sub(r"\.\s*$", "", body.strip()))


def goal_of(state: str) -> str:
    """The first goal's conclusion in a state as the search shows it (below the ==== line)."""
    lines = state.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("====="):
            rest = []
            for ln in lines[i + 1 :]:
                if not ln.strip():
                    break
                rest.append(ln)
            return normalize(" ".join(rest))
    return normalize(state)


@dataclass(frozen=True)
class TestSet:
    """The miniF2F-rocq test statements, in the forms the check compares."""

    names: frozenset[str]
    statements: frozenset[str]
    conclusions: frozenset[str]
    count: int
    source: str

    @classmethod
    def load(cls, data_dir=None) -> TestSet:
        from prover.datasets import load_benchmark

        test = load_benchmark("minif2f-rocq", "test", data_dir)
        return cls(
            names=frozenset(t.name for t in test),
            statements=frozenset(statement_key(t.statement) for t in test),
            # a very short conclusion (`False`, `x = 0`) says nothing about where a pair came from
            conclusions=frozenset(c for t in test if len(c := conclusion(t.statement)) >= 12),
            count=len(test),
            source="minif2f-rocq/test via prover.datasets.load_benchmark",
        )

    def contains(self, pair: Pair) -> bool:
        if pair.theorem in self.names:
            return True
        if pair.statement and statement_key(pair.statement) in self.statements:
            return True
        return bool(pair.state) and goal_of(pair.state) in self.conclusions

    def theorem_is_test(self, name: str, statement: str) -> bool:
        return name in self.names or statement_key(statement) in self.statements

    def summary(self) -> dict:
        return {"checked_against": self.source, "test_statements": self.count}
