"""A STAND-IN for the Lean REPL that follows the protocol but knows no Lean (none here).

Unlike replay_repl.py it answers requests it has never seen, so it can exercise flows no
recording covers (header pickling across processes). It numbers envs and proof states as
the REPL does, writes and reads pickle files, answers every `cmd` containing `sorry` with one
sorry whose goal is the text after the last ':' of the statement, and every tactic with an
open goal, except the tactic `SLOW`, answered with Lean's heartbeat-limit error. It logs each request (one JSON line) to the file named by $PROTOCOL_REPL_LOG so a
test can see what the client sent. It proves nothing; the tests only check the client's side.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # run as a script: its sibling stand-in
from replay_repl import serve  # noqa: E402

HEARTBEATS = (
    "Lean error:\n(deterministic) timeout at `elaborator`, maximum number of heartbeats "
    "(200000) has been reached\nUse `set_option maxHeartbeats <num>` to set the limit."
    "(invalid MessageData.lazy, missing context)"
)


def main() -> None:
    envs: list[str] = []
    states = 0
    log = Path(os.environ["PROTOCOL_REPL_LOG"])

    def answer(req: dict) -> dict:
        nonlocal states
        if "pickleTo" in req:
            Path(req["pickleTo"]).write_text(envs[req["env"]], encoding="utf-8")
            reply = {"env": req["env"]}
        elif "unpickleEnvFrom" in req:
            envs.append(Path(req["unpickleEnvFrom"]).read_text(encoding="utf-8"))
            reply = {"env": len(envs) - 1}
        elif "cmd" in req:
            base = envs[req["env"]] if "env" in req else ""
            envs.append(base + "\n" + req["cmd"])
            reply = {"env": len(envs) - 1}
            if "sorry" in req["cmd"]:
                goal = "⊢ " + req["cmd"].rsplit(":= by", 1)[0].rsplit(":", 1)[-1].strip()
                reply["sorries"] = [{"proofState": states, "goal": goal}]
                states += 1
        elif req.get("tactic") == "SLOW":
            # What a real REPL answered for a tactic past Lean's default heartbeat limit
            # (leanprover-community/repl issue #69, quoted there from a real run).
            reply = {"message": HEARTBEATS}
        elif "tactic" in req:
            reply = {
                "proofState": states,
                "goals": ["⊢ open"],
                "proofStatus": "Incomplete: open goals remain",
            }
            states += 1
        else:
            reply = {"message": "Unknown request."}
        return reply

    serve(answer, log)


if __name__ == "__main__":
    main()
