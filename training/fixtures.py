"""A small real SFT data set from short proofs written for this project, replayed through Coq.

Until a corpus built from Coq's libraries is at hand (`tactics.jsonl` in the agreed
format), the smoke run and the tests train on these: each proof is replayed through the
prover's Coq driver (`training.replay`), so every state is one Coq really printed.

    python -m training.fixtures runs/sft_cpu_smoke/data

writes `tactics.jsonl` (state -> tactic), `proofs.jsonl` (statement -> whole proof) and
`PROVENANCE.json` into that folder.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from prover.theorem import Theorem
from training.replay import ReplayedProof, write_tactics

NAT = "Require Import Arith Lia."
REALS = "Require Import Reals Lra Psatz.\nOpen Scope R_scope."
INTS = "Require Import ZArith Lia.\nOpen Scope Z_scope."

# (header, statement, proof): short proofs of textbook facts, none a miniF2F statement.
PROOFS: tuple[tuple[str, str, str], ...] = (
    (
        NAT,
        "Theorem fx_add_0_r : forall n : nat, n + 0 = n.",
        "intros n. induction n as [| n IH].\n- reflexivity.\n- simpl. rewrite IH. reflexivity.",
    ),
    (NAT, "Theorem fx_double_le (a b : nat) (h : a <= b) : 2 * a <= 2 * b.", "lia."),
    (NAT, "Theorem fx_succ_pos (n : nat) (h : n + 1 = 4) : n = 3.", "lia."),
    (
        NAT,
        "Theorem fx_and_swap (P Q : Prop) : P /\\ Q -> Q /\\ P.",
        "intros [HP HQ]. split.\n- exact HQ.\n- exact HP.",
    ),
    (
        NAT,
        "Theorem fx_or_comm (P Q : Prop) : P \\/ Q -> Q \\/ P.",
        "intros [HP | HQ].\n- right. exact HP.\n- left. exact HQ.",
    ),
    (NAT, "Theorem fx_mul_comm3 (a b c : nat) : a * b * c = c * b * a.", "intros. lia."),
    (NAT, "Theorem fx_lt_trans3 (a b c : nat) (h0 : a < b) (h1 : b < c) : a + 2 <= c.", "lia."),
    (NAT, "Theorem fx_eq_sym (x y : nat) (h : x = y + 2) : y + 2 = x.", "symmetry. exact h."),
    (REALS, "Theorem fx_sq_nonneg (x : R) : 0 <= x * x.", "nra."),
    (REALS, "Theorem fx_lin (x : R) (h : 2 * x + 1 = 7) : x = 3.", "lra."),
    (
        REALS,
        "Theorem fx_sum_sq (a b : R) : 2 * a * b <= a ^ 2 + b ^ 2.",
        "pose proof (pow2_ge_0 (a - b)). nra.",
    ),
    (
        REALS,
        "Theorem fx_two_eqs (u v : R) (h0 : u + v = 10) (h1 : u - v = 2) : u = 6 /\\ v = 4.",
        "split.\n- lra.\n- lra.",
    ),
    (REALS, "Theorem fx_subst (x y : R) (h0 : x = 2 * y) (h1 : y = 3) : x = 6.", "subst. lra."),
    (INTS, "Theorem fx_z_comm (a b : Z) : a + b = b + a.", "intros. lia."),
    (INTS, "Theorem fx_z_sq (m : Z) (h : m - 1 = 4) : m = 5.", "lia."),
    (
        INTS,
        "Theorem fx_z_abs (m : Z) (h : 0 <= m) : Z.abs m = m.",
        "rewrite Z.abs_eq.\n- reflexivity.\n- exact h.",
    ),
)


def theorems() -> list[tuple[Theorem, str]]:
    out = []
    for header, statement, proof in PROOFS:
        name = statement.split()[1]
        out.append((Theorem(name, "coq", statement, header, split="fixture"), proof))
    return out


def write(folder: Path) -> dict:
    """tactics.jsonl, proofs.jsonl and PROVENANCE.json in `folder`; returns the provenance."""
    t0 = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    items = theorems()
    n = write_tactics(
        (
            ReplayedProof(t, p, library="prover-fixtures", file="training/fixtures.py")
            for t, p in items
        ),
        folder / "tactics.jsonl",
    )
    with (folder / "proofs.jsonl").open("w", encoding="utf-8") as f:
        for t, p in items:
            row = {
                "name": t.name,
                "status": "proved",
                "statement": t.statement,
                "header": t.header,
                "proof": p,
                "split": t.split,
            }
            f.write(json.dumps(row) + "\n")
    coqc = subprocess.run(["coqc", "--version"], capture_output=True, text=True).stdout.split("\n")[
        0
    ]
    provenance = {
        "what": "SFT fixture data: short proofs written for this project, replayed through Coq",
        "sources": [
            {"library": "prover-fixtures", "file": "training/fixtures.py", "proofs": len(items)}
        ],
        "coq": coqc.strip(),
        "counts": {"proofs": len(items), "tactics": n},
        "build_seconds": round(time.perf_counter() - t0, 1),
    }
    (folder / "PROVENANCE.json").write_text(json.dumps(provenance, indent=2) + "\n")
    return provenance


if __name__ == "__main__":
    print(json.dumps(write(Path(sys.argv[1] if len(sys.argv) > 1 else "runs/sft_cpu_smoke/data"))))
