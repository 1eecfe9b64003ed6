"""Shared by the Isabelle tests: the protocol stand-in's path and control, and a toy theorem."""

from __future__ import annotations

import json
from pathlib import Path

from prover.theorem import Theorem

STANDIN = Path(__file__).with_name("standin_server.py")


class StandInControl:
    """Rewrites the stand-in's rules and reads the commands it received."""

    def __init__(self, config: Path):
        self.config = config
        self.configure()

    def configure(self, **rules) -> None:
        self.config.write_text(json.dumps({"accept": [], "suggest": []} | rules))

    def commands(self) -> list[str]:
        log = self.config.with_suffix(".log")
        return log.read_text().split() if log.exists() else []


TOY = Theorem(
    "toy",
    "isabelle",
    'theorem toy:\n  fixes x :: real\n  assumes h0: "3 * x + 2 = 11"\n  shows "x = 3"',
    header="theory toy imports Complex_Main\nbegin\n",
    split="valid",
    informal_statement="Solve $3x+2=11$. Show that it is 3.",
    informal_proof="Subtract 2 and divide by 3.",
)
