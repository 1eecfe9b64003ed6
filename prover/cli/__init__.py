"""The `prover` command: prove one theorem, evaluate a benchmark, set up toolchains, report.

Each command lives in a module of its own (prove, check, setup, report, serve, learn); this
module builds the typer app from them. Errors a user can fix (missing file, unknown
benchmark, missing toolchain, results file of another configuration) print one line
starting with ``error:`` and exit with status 2 (prover.cli.options.fail).
"""

from __future__ import annotations

import sys

import typer

from prover.cli.check import check
from prover.cli.corpus import corpus_app
from prover.cli.learn import learn
from prover.cli.options import console, fail
from prover.cli.prove import eval_cmd, prove
from prover.cli.report import report
from prover.cli.serve import copilot_path, serve, suggest
from prover.cli.setup import setup
from prover.models.quiet import quiet_libraries

quiet_libraries()  # the prover's own output only: no third-party progress bars or notices

__all__ = ["app", "console", "fail", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Prove theorems with a language model; every proof is checked by Coq, Lean 4 or Isabelle.",
)
app.add_typer(corpus_app, name="corpus")
app.command()(prove)
app.command("eval")(eval_cmd)
app.command()(check)
app.command()(setup)
app.command()(report)
app.command()(serve)
app.command()(suggest)
app.command()(learn)
app.command("copilot-path")(copilot_path)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
