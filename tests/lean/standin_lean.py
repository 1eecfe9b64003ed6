"""A STAND-IN for `lean -o` and for the `prover_audit` program: Lean cannot run here.

It proves nothing and checks nothing. It lets the Python side of the Lean verdict
(prover.assistants.lean.audit.KernelChecker) run end to end on this machine, with the real process
layout (a compile per file, then a separate audit process) and the audit's real output
format (one JSON object, the keys lean/ProverAudit/Main.lean prints). What each call does is
set by the JSON file named in $STANDIN_LEAN_CONFIG; every call is appended to
$STANDIN_LEAN_LOG (its arguments and process id) so tests can assert what ran, in which order.

`standin_lean.py compile -o OUT.olean FILE.lean` plays the compiler: prints the config's
"compile_output" (text a proof's code could print, e.g. a fake audit answer) and exits with
"compile_exit" for Proof.lean, "reference_exit" for the reference (default 0), having written OUT as a copy of FILE (its "olean" is the source
text). With "tamper_reference" set, compiling Proof.lean also overwrites the reference's
.olean next door, as code run by a proof could.

`standin_lean.py audit PROOF.olean REFERENCE.olean NAME` plays prover_audit: unless the
config gives "audit_raw" (printed as is), it prints the report a real audit would give,
derived from the two files where that is possible (the theorem NAME; kind "theorem";
type_matches: the reference's statement, without its `sorry`, is the proof file's; one
replayed constant) and overridden by the config's "report" fields (axioms default to the
three standard ones). "audit_exit" and "audit_sleep" make it fail or hang.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def config() -> dict:
    path = os.environ.get("STANDIN_LEAN_CONFIG")
    return json.loads(Path(path).read_text(encoding="utf-8")) if path else {}


def log(args: list[str]) -> None:
    path = os.environ.get("STANDIN_LEAN_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"args": args, "pid": os.getpid()}) + "\n")


def compile_(args: list[str], cfg: dict) -> int:
    out, source = Path(args[args.index("-o") + 1]), Path(args[-1])
    print(cfg.get("compile_output", ""), flush=True)
    key = "compile_exit" if source.name == "Proof.lean" else "reference_exit"
    code = int(cfg.get(key, 0))
    if code == 0:
        out.write_bytes(source.read_bytes())
    if cfg.get("tamper_reference") and source.name == "Proof.lean":
        (source.parent.parent / "reference" / "Reference.olean").write_text("theorem t : True")
    return code


def audit(args: list[str], cfg: dict) -> int:
    if cfg.get("audit_sleep"):
        time.sleep(float(cfg["audit_sleep"]))
    if "audit_raw" in cfg:
        print(cfg["audit_raw"])
        return int(cfg.get("audit_exit", 0))
    proof, reference, name = Path(args[0]), Path(args[1]), args[2]
    statement = reference.read_text(encoding="utf-8").rstrip().removesuffix("sorry").rstrip()
    report = {
        "theorem": name,
        "kind": "theorem",
        "replayed": 1,
        "type_matches": statement in proof.read_text(encoding="utf-8"),
        "level_params_match": True,
        "imports_match": True,
        "axioms": ["propext", "Classical.choice", "Quot.sound"],
        "unsafe_constants": [],
        "error": None,
    }
    report.update(cfg.get("report", {}))
    print(json.dumps(report))
    return int(cfg.get("audit_exit", 0))


def main() -> int:
    args = sys.argv[1:]
    log(args)
    cfg = config()
    if args and args[0] == "compile":
        return compile_(args[1:], cfg)
    if args and args[0] == "audit":
        return audit(args[1:], cfg)
    print(
        "usage: standin_lean.py compile -o OUT FILE | audit PROOF REFERENCE NAME", file=sys.stderr
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
