"""The oracle audit: `thm_oracles` in a theory of its own, read from that theory's node only.

Isabelle cannot be installed here, so the checks run against the protocol STAND-IN of
`isabelle server` (tests/isabelle/standin_server.py), which answers `thm_oracles` in the
format of Isabelle's command (documented there); the live test in test_isabelle_live.py
runs the same audit against a real Isabelle where one is installed.
"""

from __future__ import annotations

import pytest

from prover.assistants.base import Status
from prover.assistants.isabelle import audit
from prover.assistants.isabelle.client import parse_use_theories
from prover.assistants.isabelle.env import _audited
from prover.methods.result import accepted, proved_status
from prover.theorem import Theorem
from tests.isabelle.isabelle_support import TOY


def test_parse_reads_names_with_and_without_propositions():
    assert audit.parse_oracles("oracles:") == []
    text = (
        "oracles:\n"
        "  skip_proof: x = 3\n"
        "  Code_Generator.holds_by_evaluation: 2 + 2 = 4 \\<and>\n"
        "      True\n"
        "  \u2022 normalization_by_evaluation\n"
    )
    assert audit.parse_oracles(text) == [
        "skip_proof",
        "Code_Generator.holds_by_evaluation",
        "normalization_by_evaluation",
    ]
    with pytest.raises(audit.AuditError):
        audit.parse_oracles("dependencies: 3")


def test_judge_allows_only_the_code_generators_oracles():
    assert audit.judge([]).ok and not audit.judge([]).code_oracle
    code = audit.judge(["holds_by_evaluation", "Code_Generator.normalization_by_evaluation"])
    assert code.ok and code.code_oracle
    for other in ["skip_proof", "Pure.skip_proof", "smt", "Draft.cheat", "Foo.holds_by_evaluation"]:
        judged = audit.judge(["holds_by_evaluation", other])
        assert not judged.ok and judged.refused == (other,), other


def test_fact_name_and_audit_theory():
    assert audit.fact_name(TOY.statement) == "toy"
    with pytest.raises(audit.AuditError, match="names no theorem"):
        audit.fact_name('theorem "x = x"')
    name, text = audit.audit_theory("toy", "toy")
    assert name == "Oracle_Audit_toy"
    assert text.splitlines()[0] == 'theory Oracle_Audit_toy imports "toy"'
    assert "thm_oracles toy.toy" in text


def test_eval_is_proved_code_oracle_never_plain_proved(standin):
    env, control = standin
    control.configure(accept=["eval", "normalization", "auto"])
    v = env.verify(TOY, "by eval")
    assert v.ok and v.status is Status.CODE_ORACLE
    assert proved_status(v) is Status.CODE_ORACLE and v.axioms == ("holds_by_evaluation",)
    # The results line carries the oracle (reports flag rows with axioms beyond the library).
    assert accepted(v, "by eval").to_record(TOY, "whole").axioms == ["holds_by_evaluation"]
    assert "code generator" in v.reason
    n = env.verify(TOY, "by normalization")
    assert n.ok and n.status is Status.CODE_ORACLE and n.axioms == ("normalization_by_evaluation",)
    plain = env.verify(TOY, "by auto")
    assert plain.ok and plain.status is None and proved_status(plain) is Status.PROVED
    assert plain.details["oracles"] == []
    # One use_theories call checks the theory and runs the audit.
    assert control.commands().count("use_theories") == 3


def test_an_oracle_from_a_header_lemma_reaches_the_theorem(standin):
    """thm_oracles is transitive: a header lemma proved by eval makes the theorem a code-oracle proof."""
    env, control = standin
    control.configure(accept=["eval", "(simp add: h)"])
    header = TOY.header + 'lemma h: "(2::nat) + 2 = 4"\n  by eval\n'
    theorem = Theorem(TOY.name, "isabelle", TOY.statement, header)
    v = env.verify(theorem, "by (simp add: h)")
    assert v.ok and v.status is Status.CODE_ORACLE


@pytest.mark.parametrize(
    ("oracle", "why"),
    [
        ("skip_proof", "sorry / quick_and_dirty"),  # e.g. a quick_and_dirty the filter missed
        ("smt", "smt"),  # SMT's oracle, under smt_oracle
        ("cheat", "cheat"),  # an `oracle` declaration
        ("Draft.holds_by_evaluation", "Draft.holds_by_evaluation"),  # a spoof of the name
    ],
)
def test_every_other_oracle_is_rejected(standin, oracle, why):
    env, control = standin
    control.configure(accept=["auto"], oracles={"auto": [oracle]})
    v = env.verify(TOY, "by auto")
    assert not v.ok and oracle in v.reason and why in v.reason
    assert v.axioms == (oracle,)


def test_the_audit_reads_only_its_own_node():
    """A proof that prints a fake `oracles:` answer in its own theory does not reach the audit."""
    body = {
        "ok": True,
        "errors": [],
        "nodes": [
            {
                "theory_name": "Draft.toy",
                "messages": [{"kind": "writeln", "message": "oracles:"}],
                "status": {"ok": True, "consolidated": True},
            },
            {
                "theory_name": "Draft.Oracle_Audit_toy",
                "messages": [{"kind": "writeln", "message": "oracles:\n  skip_proof: x = 3"}],
                "status": {"ok": True, "consolidated": True},
            },
        ],
    }
    result = parse_use_theories(body)
    v = _audited(result.messages_of("Oracle_Audit_toy"), 0.0, "")
    assert not v.ok and "skip_proof" in v.reason
    missing = _audited(result.messages_of("Oracle_Audit_other"), 0.0, "")
    assert not missing.ok and "0 answers" in missing.reason


def test_an_audit_of_an_undefined_fact_is_an_error(standin):
    """The audit names THEORY.FACT; one that does not resolve fails the check (never passes)."""
    env, control = standin
    control.configure(accept=["auto"])
    then = dict([audit.audit_theory("toy", "nope")])
    result = env.server.check_theory("toy", "theory toy imports Main\nbegin\nend\n", 10, then=then)
    assert not result.ok and any("Undefined fact" in e.text for e in result.errors)
    assert result.messages_of("Oracle_Audit_toy")  # the error is the audit node's own


@pytest.fixture
def standin_server(tmp_path, monkeypatch):
    """A running stand-in named in $PROVER_ISABELLE_SERVER, as a user names a running server."""
    import subprocess
    import sys

    from tests.isabelle.isabelle_support import STANDIN, StandInControl

    control = StandInControl(tmp_path / "config.json")
    process = subprocess.Popen(
        [sys.executable, str(STANDIN), str(control.config)], stdout=subprocess.PIPE, text=True
    )
    monkeypatch.setenv("PROVER_ISABELLE_SERVER", process.stdout.readline().strip())
    yield control
    process.terminate()
    process.wait(10)


@pytest.mark.parametrize(
    ("proof", "code", "lines"),
    [
        (
            "by eval",
            0,
            [
                "verdict: accepted",
                "axioms: holds_by_evaluation (beyond the standard library)",
                "proved_code_oracle",
            ],
        ),
        ("by auto", 0, ["verdict: accepted", "axioms: none"]),
        ("by (Pure.tactic \u2039all_tac\u203a)", 1, ["verdict: rejected", "Pure.tactic"]),
        ("using [[smt_oracle]] by smt", 1, ["verdict: rejected", "smt_oracle"]),
    ],
)
def test_prover_check_on_a_theory_file_states_the_code_oracle(
    tmp_path, standin_server, proof, code, lines
):
    """`prover check FILE.thy` end to end (CLI, file split, verdict, audit) against the stand-in."""
    from typer.testing import CliRunner

    from prover.cli import app

    standin_server.configure(accept=["auto", "eval"])
    path = tmp_path / "toy.thy"
    path.write_text(f"{TOY.header}\n{TOY.statement}\n  {proof}\n\nend\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == code, result.output
    for line in lines:
        assert line in result.output, result.output


def test_code_oracle_results_count_as_proved_under_their_own_status():
    """proved_code_oracle flows where proved_native_decide does: counts and solve rates."""
    from prover.batch.summary import summarize
    from prover.methods.result import ProofResult
    from prover.report.stats import is_proved
    from prover.results import ResultRecord

    code = ResultRecord(name="a", system="isabelle", status=Status.CODE_ORACLE.value)
    plain = ResultRecord(name="b", system="isabelle", status=Status.PROVED.value)
    failed = ResultRecord(name="c", system="isabelle", status=Status.FAILED.value)
    assert summarize([code, plain, failed]).proved == 2
    assert is_proved(code) and not is_proved(failed)
    assert ProofResult(Status.CODE_ORACLE, proof="by eval").proved
