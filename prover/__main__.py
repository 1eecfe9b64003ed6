from prover.cli import app

app(prog_name="prover")
