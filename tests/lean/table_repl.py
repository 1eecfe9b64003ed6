"""A STAND-IN for the Lean REPL that answers from a table (no Lean can run here).

It follows the REPL's JSON protocol; what Lean would say is read from a JSON file (argv[1]):
  {"goal": "⊢ ...",                          the goal of `statement sorry`
   "tactics": {"TACTIC": "done" | {"goals": [...]} | {"error": "MESSAGE"}},
   "proofs": {"PROOF BODY": ["axiom", ...]}}   whole-proof commands Lean would accept
Every other tactic fails with "unknown tactic"; every other command reports an error; a
`#print axioms` lists the axioms of the last accepted proof. It knows no Lean: the tests
that use it check the prover's side (prompts, repair rounds, verdict statuses).
"""

import json
import sys
from pathlib import Path

from repl_io import answer, requests  # beside this file: the script's folder is on sys.path


def error(text: str) -> list[dict]:
    return [{"severity": "error", "pos": {"line": 1, "column": 0}, "endPos": None, "data": text}]


def main() -> None:
    table = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    envs = states = 0
    axioms: list[str] | None = None
    for text in requests():
        req = json.loads(text)
        if "tactic" in req:
            entry = table["tactics"].get(req["tactic"].strip(), {"error": "unknown tactic"})
            reply = {"proofState": states, "goals": []}
            states += 1
            if entry == "done":
                reply["proofStatus"] = "Completed"
            elif "goals" in entry:
                reply |= {"goals": entry["goals"], "proofStatus": "Incomplete: open goals remain"}
            else:
                reply["messages"] = error(entry["error"])
        elif "cmd" in req:
            cmd = req["cmd"]
            reply = {"env": envs}
            envs += 1
            if cmd.startswith("#print axioms"):
                name = cmd.split()[-1]
                reply["messages"] = [
                    {
                        "severity": "info",
                        "pos": {"line": 1, "column": 0},
                        "endPos": None,
                        "data": f"'{name}' depends on axioms: [{', '.join(axioms or [])}]"
                        if axioms
                        else f"'{name}' does not depend on any axioms",
                    }
                ]
            elif cmd.rstrip().endswith("sorry"):
                reply["sorries"] = [{"proofState": states, "goal": table["goal"]}]
                states += 1
            else:
                body = cmd.rstrip().rsplit(":= by", 1)[-1]
                key = next(
                    (p for p in table["proofs"] if " ".join(p.split()) == " ".join(body.split())),
                    None,
                )
                if key is None:
                    reply["messages"] = error("unsolved goals")
                else:
                    axioms = table["proofs"][key]
        else:
            reply = {"message": "Unknown request."}
        answer(reply)


if __name__ == "__main__":
    main()
