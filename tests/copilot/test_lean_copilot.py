"""The Lean side of the copilot (lean/ProverCopilot): its HTTP exchange here, live where Lean is.

Lean cannot be installed on every machine, so the exchange is tested against the real server
with the exact request the tactic sends (curl with the same arguments and JSON keys, read
from the Lean source), and the tactics themselves are built and run where `lake` exists.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

LEAN_DIR = Path(__file__).resolve().parents[2] / "lean"
SOURCE = (LEAN_DIR / "ProverCopilot" / "Tactics.lean").read_text()
GOAL = "m : ℕ\n⊢ m + 0 = m"


def lean_request_keys() -> list[str]:
    return re.findall(r'\("(\w+)", toJson', SOURCE)


def curl_like_lean(url: str, body: dict, timeout: int = 60) -> subprocess.CompletedProcess:
    """The command the Lean `post` function runs (its arguments are asserted below)."""
    args = ["-sS", "--max-time", str(timeout + 5), "-X", "POST"]
    args += ["-H", "Content-Type: application/json", "--data-binary", json.dumps(body), url]
    return subprocess.run(["curl", *args], capture_output=True, text=True, timeout=timeout + 10)


def test_the_lean_source_sends_what_this_test_sends():
    assert lean_request_keys() == ["system", "goal", "text", "k", "timeout"]
    assert '"--max-time", toString (timeout + 5), "-X", "POST"' in SOURCE
    assert '"-H", "Content-Type: application/json", "--data-binary", body.compress' in SOURCE
    assert 'post "/suggest" body' in SOURCE
    for key in ("ok", "tactic", "message"):
        assert f'"{key}"' in SOURCE
    assert 'getObjValD "suggestions"' in SOURCE and 'getObjValD "error"' in SOURCE


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_suggest_exchange_against_the_real_server(live):
    body = dict(
        zip(lean_request_keys(), ["lean", GOAL, "example : ... := by\n  ", 8, 60], strict=True)
    )
    out = curl_like_lean(live.url + "/suggest", body)
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["ok"] is True and answer["checked"] is False
    tactics = [s["tactic"] for s in answer["suggestions"]]
    assert tactics == ["bogus_lean_tactic", "omega", "simp"]  # the Lean side checks them
    bad = json.loads(curl_like_lean(live.url + "/suggest", {"system": "lean"}).stdout)
    assert bad["ok"] is False and "goal" in bad["error"]["message"]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_server_never_sends_a_suggestion_the_proof_filter_refuses(live):
    """Issue 17, item 7: the model proposes run_tac, sorry, native_decide, debug options and
    lexer tricks; only `simp` leaves the server, with include_failed too."""
    for extra in ({}, {"include_failed": True}):
        body = {"system": "lean", "goal": "k : ℕ\n⊢ k * 1 = k", "k": 8, **extra}
        answer = json.loads(curl_like_lean(live.url + "/suggest", body).stdout)
        assert answer["ok"] is True
        assert [s["tactic"] for s in answer["suggestions"]] == ["simp"]
        assert answer["refused"] == 6


def test_the_lean_side_refuses_metaprogramming_words_itself():
    """The Lean tactic's own gate (it cannot call Python): a substring check on the raw
    text, so no lexer trick hides a word; read from the source, applied here as Lean does."""
    words = re.search(r"def refusedWords : List String :=\s*\[(.*?)\]\n", SOURCE, re.S)
    assert words, "refusedWords not found in Tactics.lean"
    refused = re.findall(r'"((?:[^"\\]|\\.)*)"', words.group(1))
    refused = [w.encode().decode("unicode_escape") for w in refused]
    assert "isCheat tac then return false" in SOURCE

    def is_cheat(tac: str) -> bool:  # Lean: refusedWords.any fun w => (tac.splitOn w).length > 1
        return any(w in tac for w in refused)

    for cheat in [
        "run_tac pure ()",
        "exact 1run_tac pure ()",
        "exact x⁻¹sorry",
        "native_decide",
        "decide +native",
        "set_option maxRecDepth 100 in simp",
        "exact Lean.debug.skipKernelTC",
        "exact (by_elab pure default)",
        "run_cmd pure ()",
        "exact unsafeCast ()",
        "exact (IO.println 1)",
        "open Lean Elab Tactic in evalTactic default",
    ]:
        assert is_cheat(cheat), cheat
    for honest in ["simp", "omega", "nlinarith [sq_nonneg (x - 3)]", "rw [h'] at h₀"]:
        assert not is_cheat(honest), honest


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_a_server_that_is_down_is_a_curl_error_not_a_hang():
    out = curl_like_lean("http://127.0.0.1:9/suggest", {"system": "lean"}, timeout=5)
    assert out.returncode != 0 and out.stderr


@pytest.mark.live
@pytest.mark.skipif(shutil.which("lake") is None, reason="Lean (lake) is not installed here")
def test_lean_tactics_build_and_offer_checked_suggestions(live, tmp_path):
    build = subprocess.run(
        ["lake", "build", "ProverCopilot"], cwd=LEAN_DIR, capture_output=True, text=True
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    test = tmp_path / "CopilotTest.lean"
    test.write_text(
        "import ProverCopilot\n"
        f'set_option prover.url "{live.url}"\n'
        "example (m : Nat) : m + 0 = m := by\n  suggest\n"
        "example (m : Nat) : m + 0 = m := by\n  prove?\n"
    )
    run = subprocess.run(
        ["lake", "env", "lean", str(test)], cwd=LEAN_DIR, capture_output=True, text=True
    )
    out = run.stdout + run.stderr
    assert "Checked suggestions:" in out and "omega" in out, out
    assert "bogus_lean_tactic" not in out  # Lean rejected it, so it is not offered
    assert "Try this: omega" in out, out
