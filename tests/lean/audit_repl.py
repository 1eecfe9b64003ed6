"""A STAND-IN for the Lean REPL that answers the from-scratch check and its audit commands.

It is not Lean and proves nothing (Lean cannot be installed on the CI machines). It speaks
the REPL's protocol (one JSON request per blank-line-separated block, one pretty-printed
answer each) and answers by the kind of command, with texts in the format the real REPL
and Lean print them (message objects as in the recorded transcripts; `#print axioms` as
Lean's Elab/Print.lean words it). What it answers is read from the JSON file named by
$AUDIT_REPL_CONFIG, so a test can play any answer a real Lean could give:
  - a command without "env": the header; answers a new env;
  - `#print axioms ...`: one info message at line 1 holding config["axioms"], plus
    config["axioms_extra"] (a list of message objects);
  - `...#check @_root_...`: one info message: config["proof_type"] on the environment of the
    proof, config["statement_type"] on the environment of the statement (both default to
    config["type"]);
  - a command ending in ` sorry`: the statement alone; a sorry and its warning;
  - any other command: the proof; its messages are config["check_messages"].
Every request is appended (one JSON line) to $AUDIT_REPL_LOG.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # run as a script: its sibling stand-in
from replay_repl import serve  # noqa: E402


def info(text: str, line: int = 1) -> dict:
    return {
        "severity": "info",
        "pos": {"line": line, "column": 0},
        "endPos": {"line": line, "column": 10},
        "data": text,
    }


def main() -> None:
    config = json.loads(Path(os.environ["AUDIT_REPL_CONFIG"]).read_text(encoding="utf-8"))
    log = Path(os.environ["AUDIT_REPL_LOG"])
    kinds: list[str] = []

    def answer(req: dict) -> dict:
        cmd = req.get("cmd", "")
        reply: dict = {"env": len(kinds)}
        if "env" not in req:
            kinds.append("header")
        elif cmd.startswith("#print axioms"):
            kinds.append("audit")
            reply["messages"] = [info(config["axioms"])] + config.get("axioms_extra", [])
        elif "#check @_root_." in cmd:
            kinds.append("audit")
            key = "proof_type" if kinds[req["env"]] == "proof" else "statement_type"
            reply["messages"] = [info(config.get(key, config.get("type", "t : True")), line=2)]
        elif cmd.endswith(" sorry"):
            kinds.append("statement")
            reply["sorries"] = [{"proofState": 0, "pos": {"line": 1, "column": 0}, "goal": "⊢ ?"}]
            reply["messages"] = [
                {
                    "severity": "warning",
                    "pos": {"line": 1, "column": 8},
                    "endPos": None,
                    "data": "declaration uses 'sorry'",
                }
            ]
        else:
            kinds.append("proof")
            if config.get("check_messages"):
                reply["messages"] = config["check_messages"]
        return reply

    serve(answer, log)


if __name__ == "__main__":
    main()
