"""Lean 4 backend: the Lean REPL (default) or LeanDojo, in the pinned Lake project under lean/."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from prover.assistants.lean.audit import AUDIT_BINARY
from prover.assistants.lean.check import check_file
from prover.assistants.lean.env import LeanReplEnv

__all__ = ["LeanReplEnv", "check_file", "check_installation", "create_env", "setup"]

PROJECT_DIR = Path(__file__).resolve().parents[3] / "lean"
REPL_BINARY = Path(".lake/packages/REPL/.lake/build/bin/repl")
ELAN_INSTALL = "curl https://raw.githubusercontent.com/leanprover/elan/master/elan-init.sh -sSf | sh -s -- -y --default-toolchain none"


def project_dir_default() -> Path:
    return Path(os.environ.get("PROVER_LEAN_PROJECT", PROJECT_DIR))


def _elan_home() -> Path:
    return Path(os.environ.get("ELAN_HOME", Path.home() / ".elan"))


def _lake() -> str | None:
    found = shutil.which("lake")
    if found:
        return found
    lake = _elan_home() / "bin" / "lake"
    return str(lake) if lake.exists() else None


def create_env(
    backend: str = "repl",
    project_dir: str | os.PathLike | None = None,
    repl_path: str | os.PathLike | None = None,
    memory_cap_gb: float | None = 8.0,
    tactic_timeout: float = 60.0,
    allow_native_decide: bool = False,
    repl_command: list[str] | None = None,
    **options,
):
    """A Lean ProofEnv. `backend` is "repl" (default) or "dojo" (LeanDojo, traced repositories).

    REPL options: `project_dir` (the Lake project; default lean/ beside the package or
    $PROVER_LEAN_PROJECT), `repl_path` (the REPL binary, run as `lake env <repl_path>` in the
    project), `repl_command` (the whole command, replacing both), `memory_cap_gb` (None: no
    cap), `memory_limit` ("data" or "as"), `header_cache` (folder for pickled header envs),
    `command_timeout` (statement and header elaboration; each compile and audit of a
    verdict), `compile_command` / `audit_command` (the verdict's `lean` and `prover_audit`,
    default `lake env lean` and `lake env <project>/.lake/build/bin/prover_audit`).
    """
    if "memory_gb" in options:  # the older name of memory_cap_gb
        memory_cap_gb = options.pop("memory_gb")
    if backend == "dojo":
        from prover.assistants.lean.dojo import LeanDojoEnv

        return LeanDojoEnv(
            tactic_timeout=tactic_timeout, allow_native_decide=allow_native_decide, **options
        )
    if backend != "repl":
        raise ValueError(f"unknown Lean backend {backend!r}; use repl or dojo")
    proj = Path(project_dir) if project_dir else project_dir_default()
    repl = Path(repl_path) if repl_path else proj / REPL_BINARY
    lake = _lake() or "lake"
    command = repl_command or [lake, "env", str(repl)]
    options.setdefault("compile_command", [lake, "env", "lean"])
    options.setdefault("audit_command", [lake, "env", str(proj / AUDIT_BINARY)])
    return LeanReplEnv(
        command=command,
        cwd=str(proj),
        tactic_timeout=tactic_timeout,
        memory_gb=memory_cap_gb,
        allow_native_decide=allow_native_decide,
        **options,
    )


def toolchain_dir(toolchain: str) -> Path:
    """Where elan keeps `toolchain` ("leanprover/lean4:v4.24.0" -> leanprover--lean4---v4.24.0)."""
    return _elan_home() / "toolchains" / toolchain.replace("/", "--").replace(":", "---")


def _mathlib_built(proj: Path) -> bool:
    build = proj / ".lake" / "packages" / "mathlib" / ".lake" / "build" / "lib"
    return (build / "lean" / "Mathlib.olean").exists() or (build / "Mathlib.olean").exists()


def check_installation(project: str | os.PathLike | None = None) -> str | None:
    """What is missing for the REPL backend, with the commands that fix it; None when ready.

    Cheap on purpose (file checks only, no Lean process): `prover eval --system lean` calls
    it before anything else so that a machine without Lean fails at once with instructions.
    """
    proj = Path(project) if project else project_dir_default()
    fix = f"run `prover setup lean` (it works in {proj})"
    toolchain_file = proj / "lean-toolchain"
    if not toolchain_file.exists():
        return (
            f"{toolchain_file} is missing: set PROVER_LEAN_PROJECT to the prover's lean/ folder "
            "(the Lake project pinned to Lean v4.24.0 and Mathlib v4.24.0)"
        )
    wanted = toolchain_file.read_text().strip()
    if _lake() is None:
        return (
            "Lean is not installed (no `lake` on PATH or in ~/.elan/bin). Install elan, Lean's "
            f"toolchain manager, with `{ELAN_INSTALL}`, then {fix}; or just run `prover setup lean`, "
            "which does both"
        )
    if (_elan_home() / "toolchains").is_dir() and not toolchain_dir(wanted).is_dir():
        return f"the Lean toolchain {wanted} is not installed: run `elan toolchain install {wanted}` or {fix}"
    if not (proj / "lake-manifest.json").exists() or not (proj / ".lake" / "packages").is_dir():
        return f"the Lean project's dependencies (Mathlib, REPL) are not fetched: {fix} (it runs `lake update`)"
    mathlib_toolchain = proj / ".lake" / "packages" / "mathlib" / "lean-toolchain"
    if mathlib_toolchain.exists() and mathlib_toolchain.read_text().strip() != wanted:
        got = mathlib_toolchain.read_text().strip()
        return (
            f"Mathlib in {proj} is for {got}, the project for {wanted}: delete {proj}/.lake and "
            f"{proj}/lake-manifest.json, then {fix}"
        )
    if not _mathlib_built(proj):
        return f"Mathlib is not built in {proj}: {fix} (it runs `lake exe cache get`)"
    if not (proj / REPL_BINARY).exists():
        return f"the Lean REPL is not built ({proj / REPL_BINARY} missing): {fix} (it runs `lake build repl`)"
    if not (proj / AUDIT_BINARY).exists():
        return (
            f"the verdict's audit program is not built ({proj / AUDIT_BINARY} missing): {fix} "
            "(it runs `lake build prover_audit`)"
        )
    return None


def setup() -> int:
    """`prover setup lean`: elan if missing, the pinned dependencies, Mathlib's cache, the REPL.

    Every step is an official tool run in the project folder, echoed before it runs; the
    first failure stops with what failed and how to retry. At the end the installed
    versions are checked against lean-toolchain and the REPL answers one real request.
    """
    proj = project_dir_default()
    if not (proj / "lean-toolchain").exists():
        print(
            f"setup lean: {proj}/lean-toolchain missing; set PROVER_LEAN_PROJECT to the prover's lean/ folder"
        )
        return 1
    wanted = (proj / "lean-toolchain").read_text().strip()
    steps: list[tuple[str, list[str] | str]] = []
    if _lake() is None:
        if shutil.which("curl") is None:
            print("setup lean: curl is needed to install elan (e.g. `sudo apt-get install curl`)")
            return 1
        steps.append(("install elan (Lean's toolchain manager)", ELAN_INSTALL))
    if not (proj / "lake-manifest.json").exists():
        steps.append(
            ("resolve the pinned dependencies (writes lake-manifest.json)", ["lake", "update"])
        )
    steps += [
        ("download Mathlib's prebuilt cache (several GB)", ["lake", "exe", "cache", "get"]),
        ("build the Lean REPL", ["lake", "build", "repl"]),
        ("build the verdict's audit program", ["lake", "build", "prover_audit"]),
        ("build the project (checks that the miniF2F header loads)", ["lake", "build"]),
    ]
    env = {**os.environ, "PATH": f"{_elan_home() / 'bin'}:{os.environ.get('PATH', '')}"}
    for what, cmd in steps:
        print(f"setup lean: {what}: {cmd if isinstance(cmd, str) else ' '.join(cmd)}", flush=True)
        try:
            code = subprocess.call(cmd, cwd=proj, shell=isinstance(cmd, str), env=env)
        except FileNotFoundError as e:
            print(f"setup lean: cannot run {cmd[0]} ({e}); is elan's bin folder on PATH?")
            return 1
        if code != 0:
            print(
                f"setup lean: failed to {what} (exit {code}). Fix that step and run `prover setup lean` again."
            )
            return code
    problem = check_installation() or _check_versions(proj, wanted, env) or _smoke_test()
    print(problem or f"setup lean: ready ({wanted}, Mathlib v4.24.0, REPL built in {proj})")
    return 1 if problem else 0


def _check_versions(proj: Path, wanted: str, env: dict[str, str]) -> str | None:
    """`lean --version` inside the project must name the version in lean-toolchain."""
    try:
        out = subprocess.run(
            [_lake() or "lake", "env", "lean", "--version"],
            cwd=proj,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"setup lean: `lake env lean --version` failed ({e})"
    version = wanted.rsplit(":", 1)[-1].lstrip("v")
    if f"version {version}" not in out:
        return f"setup lean: the project's Lean reports {out.strip()!r}, lean-toolchain asks for {wanted}"
    return None


def _smoke_test() -> str | None:
    """One real round trip through the REPL (no Mathlib import, so it takes a second)."""
    from prover.theorem import Theorem

    env = create_env(tactic_timeout=60)
    try:
        root = env.open(Theorem("smoke", "lean", "theorem smoke : 1 + 1 = 2 := by"))
        from prover.assistants.base import Finished

        if not isinstance(env.run_tactic(root, "rfl"), Finished):
            return "setup lean: the REPL runs but did not prove 1 + 1 = 2 by rfl"
    except Exception as e:  # any failure here is the message the user needs
        return f"setup lean: the REPL does not answer correctly: {e}"
    finally:
        env.close()
    return None


def default_portfolio() -> tuple[str, ...]:
    return (
        "norm_num",
        "linarith",
        "nlinarith",
        "positivity",
        "omega",
        "simp",
        "decide",
        "ring_nf",
        "field_simp",
        "aesop",
    )


def theorem_from_file(path: Path):
    from prover.datasets.minif2f_lean4 import parse_lean_file

    return parse_lean_file(path.read_text(encoding="utf-8"), path.stem)
