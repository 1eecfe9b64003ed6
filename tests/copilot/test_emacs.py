"""The Emacs package live: `emacs --batch` with Proof General, a real .v file, a real server.

`prover-prove` runs against a real `prover serve` process (the embedded model; the goal is
one the automation portfolio closes, so the model's speed does not matter); `prover-suggest`
against the in-process server whose proposals are scripted. After each command the file
must compile with coqc and contain no admit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from prover.copilot import EMACS_PACKAGE
from tests.copilot.conftest import ADD_ZERO as SOURCE
from tests.prover_serve import prover_serve

PG_SITE = Path("/usr/share/emacs/site-lisp/proofgeneral/generic/proof-site.el")
pytestmark = pytest.mark.skipif(
    shutil.which("emacs") is None or not PG_SITE.exists(),
    reason="Emacs + Proof General missing: run scripts/install_editor_tools.sh",
)


def emacs(file: Path, url: str, commands: str, timeout: float = 240) -> subprocess.CompletedProcess:
    """Open `file` in coq-mode under Proof General, run `commands` (Lisp), save."""
    script = f"""
(progn
  (load "{PG_SITE}")
  (load "{EMACS_PACKAGE}")
  (setq prover-copilot-url "{url}" prover-copilot-timeout 120 prover-copilot-prove-budget 60)
  (find-file "{file}")
  (unless (eq major-mode 'coq-mode) (error "not in coq-mode: %s" major-mode))
  {commands}
  (save-buffer))
"""
    return subprocess.run(
        ["emacs", "--batch", "-Q", "--eval", script],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "HOME": str(file.parent)},
    )


def compiles(file: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["coqc", "-q", file.name], cwd=file.parent, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def served():
    with prover_serve("--threads", "1") as url:
        yield url


def test_prover_prove_replaces_the_admit_and_the_file_compiles(tmp_path, served):
    file = tmp_path / "AddZero.v"
    file.write_text(SOURCE)
    r = emacs(file, served, '(goto-char (point-min)) (search-forward "intros m.") (prover-prove)')
    assert r.returncode == 0, r.stderr[-2000:]
    text = file.read_text()
    assert "admit" not in text.lower() and "Qed." in text, text
    assert "proof inserted (the whole theorem re-checked by coqc)" in r.stderr
    assert compiles(file).returncode == 0


def test_prover_suggest_inserts_a_checked_tactic_and_the_file_compiles(tmp_path, live):
    file = tmp_path / "Suggest.v"
    file.write_text(SOURCE.replace("  admit.\nAdmitted.", "  \nQed."))
    pick_first = "(setq prover-copilot-select-function (lambda (choices) (cdar choices)))"
    go = '(goto-char (point-min)) (search-forward "intros m.\\n  ") (prover-suggest)'
    r = emacs(file, live.url, pick_first + go)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "prover: inserted lia." in r.stderr
    assert "  lia.\nQed." in file.read_text()
    assert compiles(file).returncode == 0


def test_errors_are_messages_never_hangs(tmp_path, live):
    file = tmp_path / "Bad.v"
    file.write_text(SOURCE.replace("intros m.", "apply no_such_lemma."))
    go = '(goto-char (point-min)) (search-forward "no_such_lemma.") (prover-suggest)'
    r = emacs(file, live.url, go)
    assert r.returncode != 0 and "line 5, column 3" in r.stderr and "no_such_lemma" in r.stderr
    down = emacs(file, "http://127.0.0.1:9", go, timeout=60)
    assert down.returncode != 0 and "is down" in down.stderr
    assert file.read_text().count("admit.") == 1  # nothing lost
