"""Honest proofs are accepted under every kind of header miniF2F-rocq uses.

A wrongly rejected honest proof silently lowers every solve rate we report, so each distinct
header of the 488 records (warnings while loading: Coquelicot's "New coercion path",
mathcomp's notation-overridden; helper definitions; comments) gets one honest proof that
relies on the standard library's axioms, checked with the verdict a found proof gets (the
portfolio's imports first, as the search runs it). One coqc and one audit per header, two
at a time.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from prover.assistants.coq.check import verify
from prover.assistants.coq.portfolio import PORTFOLIO_IMPORTS
from prover.theorem import Theorem

# Fully qualified, so that no header's scopes, notations or definitions (`R`, `C_scope`,
# ssreflect) change what they mean. The first uses a Reals axiom directly (cheap to audit);
# the second goes through the Reals' lemmas down to their axioms, as an `lra` proof does,
# and runs under three Coquelicot headers, whose loading prints warnings.
DIRECT = (
    "Theorem prover_honest : forall P : Prop, {~ ~ P} + {~ P}.",
    "exact Coq.Reals.ClassicalDedekindReals.sig_not_dec.",
)
THROUGH_LEMMAS = (
    "Theorem prover_honest : forall x : Coq.Reals.Rdefinitions.R,\n"
    "  Coq.Reals.Rdefinitions.Rplus x Coq.Reals.Rdefinitions.R0 = x.",
    "intro x.\nexact (Coq.Reals.RIneq.Rplus_0_r x).",
)
REALS_AXIOMS = {
    "Coq.Reals.ClassicalDedekindReals.sig_forall_dec",
    "Coq.Reals.ClassicalDedekindReals.sig_not_dec",
}


def header_groups(data_dir) -> dict[str, list[str]]:
    """Distinct header -> names of the records that use it, in file order."""
    groups: dict[str, list[str]] = {}
    with (data_dir / "minif2f-rocq" / "minif2f.jsonl").open(encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            groups.setdefault(rec["header"], []).append(rec["name"])
    return groups


def check_group(case: tuple[str, tuple[str, str]]):
    header, (statement, proof) = case
    theorem = Theorem(name="prover_honest", system="coq", statement=statement, header=header)
    return verify(theorem, proof, header=f"{PORTFOLIO_IMPORTS}\n{header}")


def cases(data_dir) -> list[tuple[str, str, tuple[str, str]]]:
    """(first record's name, header, honest proof) for each distinct header."""
    out = []
    coquelicot = 0
    for header, names in header_groups(data_dir).items():
        out.append((names[0], header, DIRECT))
        if "Coquelicot" in header and coquelicot < 3:  # the first three
            coquelicot += 1
            out.append((names[0], header, THROUGH_LEMMAS))
    return out


@pytest.fixture(scope="module")
def verdicts(data_dir):
    todo = cases(data_dir)
    assert len({h for _, h, _ in todo}) > 100  # 183 distinct headers in the recorded data
    with ThreadPoolExecutor(2) as pool:  # each verdict is two child processes, one at a time
        results = list(pool.map(check_group, [(h, c) for _, h, c in todo]))
    return [(name, header, v) for (name, header, _), v in zip(todo, results, strict=True)]


def test_every_header_group_accepts_an_honest_proof_that_uses_stdlib_axioms(verdicts):
    # A header that does not load under Coq 8.16 (Rocq 9's `From Stdlib`) is not the
    # proof's fault: its records are invalid statements here.
    rejected = {
        name: v.reason for name, header, v in verdicts if not v.ok and "From Stdlib" not in header
    }
    assert not rejected, rejected
    accepted = [v for _, _, v in verdicts if v.ok]
    assert len(accepted) >= len(verdicts) - 3
    for v in accepted:
        assert REALS_AXIOMS & set(v.axioms), v.axioms  # it does rely on the Reals' axioms
        assert v.axioms_beyond_stdlib == ()  # and on nothing beyond the standard library


def test_a_header_that_declares_its_own_axioms_accepts_and_names_them(verdicts):
    # The one miniF2F-rocq header with Parameter/Axiom lines.
    header, v = next((h, v) for _, h, v in verdicts if "Axiom Rfloor_spec" in h)
    assert v.ok and v.axioms_beyond_stdlib == ()  # the honest proof does not use them
    used = verify(
        Theorem(
            name="uses_floor",
            system="coq",
            statement="Theorem uses_floor : forall x : R, IZR (Rfloor x) <= x.",
            header=header,
        ),
        "intro x. destruct (Rfloor_spec x) as [H _]. exact H.",
    )
    assert used.ok
    assert set(used.axioms_beyond_stdlib) == {"Prover.Check.Rfloor", "Prover.Check.Rfloor_spec"}
