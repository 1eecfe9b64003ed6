"""`prover suggest FILE[:LINE]`: the server's answers on the command line."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.copilot.conftest import ADD_ZERO as SOURCE


def suggest(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "prover", "suggest", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_against_a_server_table_and_json(tmp_path, live):
    file = tmp_path / "AddZero.v"
    file.write_text(SOURCE)
    table = suggest(f"{file}:5", "--server", live.url)
    assert table.returncode == 0, table.stderr
    assert "lia." in table.stdout and "proof complete" in table.stdout
    answer = json.loads(
        suggest(str(file), "--server", live.url, "--json", "--source", "model").stdout
    )
    assert [s["tactic"] for s in answer["suggestions"]] == ["lia.", "rewrite Nat.add_0_r."]


def test_errors_name_the_position_and_bad_input_is_refused(tmp_path, live):
    file = tmp_path / "Bad.v"
    file.write_text(SOURCE.replace("intros m.", "apply no_such_lemma."))
    r = suggest(f"{file}:5", "--server", live.url)
    assert r.returncode == 1 and f"{file}:5:3:" in r.stdout and "no_such_lemma" in r.stdout
    assert suggest(f"{file}:99", "--server", live.url).returncode == 2
    assert "not found" in suggest(str(tmp_path / "missing.v")).stderr
    down = suggest(f"{file}:5", "--server", "http://127.0.0.1:9", timeout=60)
    assert down.returncode == 2 and "unreachable" in down.stderr
    # The CLI builds the server's typed request: a bad field is refused before asking.
    bad_k = suggest(f"{file}:5", "--server", live.url, "--k", "0")
    assert bad_k.returncode == 2 and "k: Input should be greater than or equal to 1" in bad_k.stderr


def test_in_process_with_the_embedded_model(tmp_path):
    """No server: the embedded model's candidates, each run in a real coqtop (tiny budget)."""
    file = tmp_path / "AddZero.v"
    file.write_text(SOURCE)
    args = ("--k", "2", "--max-tokens", "6", "--include-failed", "--json", "--timeout", "300")
    r = suggest(str(file), *args, "--source", "model", timeout=600)
    answer = json.loads(r.stdout)
    assert answer["ok"] and answer["goals"] == ["m : nat\n============================\nm + 0 = m"]
    assert 1 <= len(answer["suggestions"]) <= 2
    assert all(s["status"] in ("proof complete", "open", "failed") for s in answer["suggestions"])


DOUBLE = """Require Import Arith Lia.

Fixpoint double (n : nat) : nat :=
  match n with
  | 0 => 0
  | S k => S (S (double k))
  end.

Theorem double_twice : forall n : nat, double n = 2 * n.
Proof.
  induction n.
  - reflexivity.
  - admit.
Admitted.
"""


def test_inside_an_induction_the_embedded_model_and_the_templates_get_accepted_answers(tmp_path):
    """The case the model alone failed (its 8 candidates all rejected by Coq): the step case
    of `induction n` on `double n = 2 * n`. Templates over the goal and its header propose
    `simpl.` (a Fixpoint of the header in the goal) and `simpl; lia.`; the real embedded
    model's candidates (a tiny budget) are ranked and checked with them."""
    file = tmp_path / "Double.v"
    file.write_text(DOUBLE)
    args = ("--k", "2", "--max-tokens", "8", "--json", "--timeout", "300")
    r = suggest(str(file), *args, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    answer = json.loads(r.stdout)
    assert answer["goals"][0].endswith("double (S n) = 2 * S n")
    by_tactic = {s["tactic"]: s for s in answer["suggestions"]}
    assert by_tactic["simpl; lia."]["status"] == "proof complete"
    assert by_tactic["simpl."]["status"] == "open" and by_tactic["simpl."]["source"] == "template"
    assert answer["suggestions"][0]["status"] == "proof complete"  # closing ones first
    assert all(s["status"] != "failed" for s in answer["suggestions"])  # only accepted shown
    table = suggest(str(file), "--k", "1", "--max-tokens", "4", "--timeout", "300", timeout=600)
    assert table.returncode == 0 and "simpl; lia." in table.stdout and "template" in table.stdout
