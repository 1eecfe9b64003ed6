"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from prover.datasets import candidate_dirs


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The benchmark data folder (see prover.datasets): required, never skipped."""
    for d in candidate_dirs():
        if (d / "minif2f-rocq" / "minif2f.jsonl").exists():
            return d
    pytest.fail(
        "benchmark data not found: set PROVER_DATA_DIR to the folder holding minif2f-rocq/ etc."
    )
