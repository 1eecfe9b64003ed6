"""A STAND-IN for the Lean REPL that answers from a table (no Lean can run here).

It follows the REPL's JSON protocol; what Lean would say is read from a JSON file (argv[1]):
  {"goal": "⊢ ...",                          the goal of `statement sorry`
   "tactics": {"TACTIC": "done" | {"goals": [...]} | {"error": "MESSAGE"}},
   "proofs": {"PROOF BODY": ["axiom", ...]}}   whole-proof commands Lean would accept
Every other tactic fails with "unknown tactic"; every other command reports an error; a
`#print axioms` lists the axioms of the last accepted proof, and `#check` gives one fixed
type. It knows no Lean: the tests that use it check the prover's side (prompts, repair
rounds, verdict statuses).
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # run as a script: its sibling stand-in
from replay_repl import serve  # noqa: E402


def error(text: str) -> list[dict]:
    return [{"severity": "error", "pos": {"line": 1, "column": 0}, "endPos": None, "data": text}]


def info(text: str) -> dict:
    return {"severity": "info", "pos": {"line": 1, "column": 0}, "endPos": None, "data": text}


def main() -> None:
    table = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    envs = states = 0
    axioms: list[str] | None = None

    def answer(req: dict) -> dict:
        nonlocal envs, states, axioms
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
            if "#check @_root_." in cmd:  # the audit's type comparison: one fixed type
                name = cmd.rsplit("_root_.", 1)[1].strip()
                reply["messages"] = [info(f"{name} : the statement's type")]
            elif cmd.startswith("#print axioms"):
                name = cmd.split()[-1].removeprefix("_root_.")
                reply["messages"] = [
                    info(
                        f"'{name}' depends on axioms: [{', '.join(axioms)}]"
                        if axioms
                        else f"'{name}' does not depend on any axioms"
                    )
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
        return reply

    serve(answer)


if __name__ == "__main__":
    main()
