"""A real copilot server on loopback (uvicorn in a thread of the test process) with real Coq.

Its model is the scripted stand-in (tests/scripted.py) so the answers are known: the
suggestions are still run in a real coqtop and the proofs re-checked by coqc; only the
proposals are scripted. The embedded model behind `prover serve` is tested in
tests/models/test_openai_compat.py.
"""

from __future__ import annotations

import threading
import time

import pytest

from prover.copilot import build_copilot
from prover.copilot.server import bind, create_app
from tests.scripted import ScriptedGenerator

# The prompt's few-shot examples mention `n + 0 = n`, so the goals here use `m`.
RULES = [
    ("⊢ m + 0 = m", [("bogus_lean_tactic", -0.05), ("omega", -0.1), ("simp", -0.2)]),
    # Cheats a model could propose: the server must never send them to the Lean side.
    (
        "⊢ k * 1 = k",
        [
            ("run_tac Lean.Elab.Tactic.evalTactic (← `(tactic| sorry))", -0.01),
            ("exact 1run_tac pure ()", -0.02),
            ("sorry", -0.03),
            ("native_decide", -0.04),
            ("set_option debug.skipKernelTC true in simp", -0.05),
            ("exact x⁻¹sorry", -0.06),
            ("simp", -0.1),
        ],
    ),
    ("forall m : nat, m + 0 = m", [("intros m.", -0.2), ("bogus_tactic.", -0.3)]),
    (
        "m + 0 = m",
        [("simpl.", -0.4), ("lia.", -0.5), ("reflexivity.", -0.7), ("rewrite Nat.add_0_r.", -1.0)],
    ),
]


ADD_ZERO = """Require Import Arith Lia.

Theorem add_zero : forall m : nat, m + 0 = m.
Proof.
  intros m.
  admit.
Admitted.
"""


class LiveServer:
    def __init__(self, generator, token: str | None = None, sessions: int = 2):
        import uvicorn

        self.copilot = build_copilot(generator, sessions=sessions, batch_window=0.2)
        self.sock = bind("127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(create_app(self.copilot, "scripted", token), log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )
        self.thread.start()
        t0 = time.monotonic()
        while not self.server.started and time.monotonic() - t0 < 10:
            time.sleep(0.02)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.copilot.sessions.close()
        self.copilot.generator.close()


@pytest.fixture(scope="module")
def scripted():
    return ScriptedGenerator(RULES)


@pytest.fixture(scope="module")
def live(scripted):
    server = LiveServer(scripted)
    yield server
    server.close()
