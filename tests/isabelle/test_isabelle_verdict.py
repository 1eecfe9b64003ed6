"""The from-scratch verdict refuses escape hatches and changed statements, and installs fail fast."""

from __future__ import annotations

import pytest

from prover.assistants.isabelle import check_installation, create_env
from tests.isabelle.isabelle_support import TOY


@pytest.mark.parametrize(
    ("proof", "reason"),
    [
        ("sorry", "sorry"),
        ("proof -\n  show ?thesis sorry\nqed", "sorry"),
        ("oops", "oops"),
        ("by auto\n\naxiomatization where ax: False", "axiomatization"),
        ("by auto\nML \u2039Skip_Proof.make_thm\u203a", "ML"),
        ("using [[quick_and_dirty]] by auto", "quick_and_dirty"),
        ("sledgehammer", "sledgehammer"),
        ('theorem toy:\n  shows "x = 3"\n  by auto', "statement was changed"),
        ("", "empty proof"),
    ],
)
def test_verdict_rejects_escape_hatches_and_changed_statements(standin, proof, reason):
    env, control = standin
    control.configure(accept=["auto"])
    v = env.verify(TOY, proof)
    assert not v.ok and reason in v.reason
    assert control.commands() == []  # refused before Isabelle is even asked


def test_verdict_accepts_a_checked_proof_and_reports_failures(standin):
    env, control = standin
    control.configure(accept=["auto"])
    ok = env.verify(TOY, "(* the word sorry in a comment is fine *)\nby auto")
    # The header gains DSP's imports (Sum_of_Squares for `sos`, Code_Target_Numeral).
    extra = '"HOL-Library.Sum_of_Squares" "HOL-Library.Code_Target_Numeral"'
    assert ok.ok and ok.details["theory"].startswith(f"theory toy imports Complex_Main {extra}\n")
    restated = env.verify(TOY, TOY.statement + "\n  by auto")
    assert restated.ok
    bad = env.verify(TOY, "by simp")
    assert not bad.ok and "Failed to finish proof" in bad.reason
    env.check_timeout = 1
    slow = env.verify(TOY, "by auto (* HANG *)")
    assert not slow.ok and "timed out" in slow.reason


def test_isabelle_offers_the_whole_text_seam_only(standin):
    from prover.assistants.base import Checker, ProofEnv
    from prover.assistants.registry import backend

    env, control = standin
    assert not isinstance(env, ProofEnv) and not backend("isabelle").stepwise
    checker = backend("isabelle").checker(env)
    assert isinstance(checker, Checker)
    control.configure(accept=["simp"])
    assert checker.check(TOY, "by simp").ok
    bad = checker.check(TOY, "by auto")
    assert not bad.ok and bad.error


def test_missing_isabelle_fails_fast_with_install_steps(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    message = check_installation()
    assert "isabelle.in.tum.de" in message and "prover setup isabelle" in message


def test_old_isabelle_and_missing_heap_are_reported(monkeypatch, tmp_path):
    fake = tmp_path / "isabelle"
    fake.write_text(
        "#!/bin/sh\n"
        'case "$1" in\n'
        '  version) echo "$FAKE_VERSION";;\n'
        f"  getenv) echo {tmp_path}/heaps; echo {tmp_path}/sys; echo polyml-x;;\n"
        "esac\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    monkeypatch.setenv("FAKE_VERSION", "Isabelle2020")
    assert "too old" in check_installation()
    monkeypatch.setenv("FAKE_VERSION", "Isabelle2024")
    assert "heap is not built" in check_installation()
    (tmp_path / "heaps" / "polyml-x").mkdir(parents=True)
    (tmp_path / "heaps" / "polyml-x" / "MiniF2F").write_text("")
    assert check_installation() is None


def test_create_env_uses_the_minif2f_session_and_ignores_search_options():
    env = create_env(tactic_timeout=10, check_timeout=33)
    try:
        assert env.server.session == "MiniF2F" and env.check_timeout == 33
        assert env.server.session_dirs[0].endswith("isabelle")
    finally:
        env.close()


def test_server_from_the_environment(monkeypatch):
    monkeypatch.setenv("PROVER_ISABELLE_SERVER", 'server "x" = 127.0.0.1:4711 (password "pw")')
    env = create_env()
    assert (env.server.port, env.server.password) == (4711, "pw")
    env.close()
    monkeypatch.setenv("PROVER_ISABELLE_SERVER", "shared")
    env = create_env()
    assert env.server.name == "shared" and env.server.port is None
    env.close()
    monkeypatch.setenv("PROVER_ISABELLE_SERVER", "not a name; rm -rf")
    with pytest.raises(ValueError, match="server name or the server's info line"):
        create_env()
