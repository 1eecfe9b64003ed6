"""Fixtures for the Isabelle tests: an env whose client launches the protocol stand-in."""

from __future__ import annotations

import sys

import pytest

from prover.assistants.isabelle.client import IsabelleServer
from prover.assistants.isabelle.env import IsabelleEnv
from tests.isabelle.isabelle_support import STANDIN, StandInControl


@pytest.fixture
def standin(tmp_path):
    """(env, control): an IsabelleEnv whose client launches the stand-in as its server command."""
    control = StandInControl(tmp_path / "config.json")
    server = IsabelleServer(
        session="MiniF2F", server_command=[sys.executable, str(STANDIN), str(control.config)]
    )
    env = IsabelleEnv(server=server, check_timeout=10)
    yield env, control
    env.close()
