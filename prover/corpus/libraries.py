"""The Coq libraries whose proofs the corpus replays: where their sources are, their version.

Debian installs each library's `.v` sources beside its compiled `.vo` files: the standard
library under `coqc -where`/theories (logical prefix `Coq`), the others under
`user-contrib/<Name>`. A library is versioned by its Debian package version (`dpkg-query`),
so an upgrade makes a new corpus rather than mixing two versions.

Replaying a file needs its own `Require`s to resolve to the installed `.vo` files: the
standard library is on coqtop's path already; a user-contrib library is added with
`-R <root> <Prefix>`, so that its files' short `Require Import Rcomplements.` also resolve.
The file itself is replayed as the interactive top module: its definitions live under
`Top`, and never clash with the installed copy, which nothing loads.
"""

from __future__ import annotations

import functools
import subprocess
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Library:
    """One library: `name` in the corpus rows, its logical `prefix`, where its sources lie."""

    name: str
    prefix: str  # logical path prefix of its modules (Coq.Reals.Rbasic_fun)
    root: Path  # the directory that maps to `prefix`
    package: str | None = None  # the Debian package that installs it (its version)
    on_path: bool = False  # already on coqtop's load path (the standard library)
    # The directories (relative to root) replayed when none are asked for: the slice the
    # defaults use. Empty: the whole library.
    default_dirs: tuple[str, ...] = ()
    default_skip: tuple[str, ...] = ()  # directories under default_dirs the defaults leave out
    version_override: str | None = field(default=None, compare=False)

    @property
    def version(self) -> str:
        if self.version_override:
            return self.version_override
        return package_version(self.package) if self.package else "unknown"

    @property
    def installed(self) -> bool:
        return self.root.is_dir() and any(self.root.rglob("*.v"))

    def coqtop_args(self) -> tuple[str, ...]:
        return () if self.on_path else ("-R", str(self.root), self.prefix)

    def files(self, dirs: tuple[str, ...] | None = None) -> list[str]:
        """The library's `.v` files (relative to root, sorted), under `dirs` when given
        (default: `default_dirs`; `()` for the whole library)."""
        chosen = self.default_dirs if dirs is None else dirs
        skip = self.default_skip if dirs is None else ()
        out = sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*.v"))
        if chosen:
            out = [f for f in out if any(_under(f, d) for d in chosen)]
        return [f for f in out if not any(_under(f, d) for d in skip)]

    def module(self, relpath: str) -> str:
        """The logical name of the module a file compiles to."""
        parts = [self.prefix, *Path(relpath).with_suffix("").parts]
        return ".".join(p for p in parts if p)


def _under(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip("/") + "/")


@functools.cache
def coqlib() -> Path:
    """Coq's library directory (`coqc -where`)."""
    try:
        out = subprocess.run(["coqc", "-where"], capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        return Path("/usr/lib/ocaml/coq")
    return Path(out.stdout.strip() or "/usr/lib/ocaml/coq")


@functools.cache
def package_version(package: str) -> str:
    try:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", package],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except FileNotFoundError:
        return "unknown"
    return out.stdout.strip() or "unknown"


# Reals and the arithmetic directories first: what miniF2F-style goals need.
STDLIB_DEFAULT_DIRS = (
    "Arith",
    "NArith",
    "PArith",
    "ZArith",
    "QArith",
    "Reals",
)
# The constructive reals: a third of the Reals replay time, and nothing a classical-reals
# competition proof uses.
STDLIB_DEFAULT_SKIP = ("Reals/Abstract", "Reals/Cauchy")


def known_libraries() -> dict[str, Library]:
    lib = coqlib()
    contrib = lib / "user-contrib"
    return {
        "coq-stdlib": Library(
            "coq-stdlib",
            "Coq",
            lib / "theories",
            "libcoq-stdlib",
            on_path=True,
            default_dirs=STDLIB_DEFAULT_DIRS,
            default_skip=STDLIB_DEFAULT_SKIP,
        ),
        "coquelicot": Library(
            "coquelicot", "Coquelicot", contrib / "Coquelicot", "libcoq-coquelicot"
        ),
        "flocq": Library("flocq", "Flocq", contrib / "Flocq", "libcoq-flocq"),
        "mathcomp-ssreflect": Library(
            "mathcomp-ssreflect",
            "mathcomp.ssreflect",
            contrib / "mathcomp" / "ssreflect",
            "libcoq-mathcomp-ssreflect",
        ),
    }


DEFAULT_LIBRARIES = ("coq-stdlib",)


def library(spec: str) -> Library:
    """A library by name, or `NAME=DIR[:PREFIX]` for sources elsewhere (a project of one's own;
    version `local`)."""
    if "=" in spec:
        name, _, rest = spec.partition("=")
        root, _, prefix = rest.partition(":")
        path = Path(root)
        if not path.is_dir():
            raise ValueError(f"library {name}: {root} is not a directory")
        return Library(name, prefix or name, path.resolve(), version_override="local")
    libs = known_libraries()
    if spec not in libs:
        raise ValueError(
            f"unknown library {spec!r}; known: {', '.join(libs)} (or NAME=DIR[:PREFIX])"
        )
    found = libs[spec]
    if not found.installed:
        raise ValueError(
            f"library {spec} is not installed (no .v files in {found.root}); apt-get install {found.package}"
        )
    return found
