"""`prover corpus build`: replay library files into a corpus directory, resumably.

Each replayed file leaves one part (`parts/<library>/<file>.json`, written atomically), so a
build that is stopped keeps every file it finished and a second build replays only the rest
(asking for more directories later adds to the same corpus). Every build ends by merging
all parts into `tactics.jsonl`, `lemmas.jsonl` and `PROVENANCE.json`; the miniF2F test-split
exclusion happens in that merge, so it always holds for the files as they are now.
"""

from __future__ import annotations

import concurrent.futures as cf
import filecmp
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prover.corpus.libraries import DEFAULT_LIBRARIES, Library, known_libraries, library
from prover.corpus.replay import FILE_SECONDS, FileReplay, replay_file
from prover.corpus.statements import lemma_names_in, normalize_statement

FORMAT_VERSION = 1
TACTICS = "tactics.jsonl"
LEMMAS = "lemmas.jsonl"
PROVENANCE = "PROVENANCE.json"


def cache_root() -> Path:
    base = os.environ.get("PROVER_CORPUS_CACHE")
    if base:
        return Path(base)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "prover" / "corpus"


def corpus_id(libraries: Iterable[Library]) -> str:
    """Names and versions of the libraries and the format version: an upgraded package or a
    new format makes a new corpus, never a mix."""
    key = sorted(f"{lib.name}={lib.version}" for lib in libraries)
    digest = hashlib.sha256(json.dumps([FORMAT_VERSION, key]).encode()).hexdigest()[:10]
    return f"f{FORMAT_VERSION}-{digest}"


def default_corpus_dir() -> Path:
    """Where `prover corpus build` puts the default libraries' corpus (and the search reads it)."""
    libs = known_libraries()
    return cache_root() / corpus_id(libs[n] for n in DEFAULT_LIBRARIES)


@dataclass
class BuildReport:
    out_dir: Path
    files_done: int  # replayed by this build
    files_reused: int  # parts already there
    seconds: float
    provenance: dict


TestStatements = Callable[[], tuple[set[str], str]]


def minif2f_test_statements(data_dir: str | None = None) -> tuple[set[str], str]:
    """The normalised statements of the miniF2F-rocq test split (read with the project's
    dataset loader), and where they came from; empty with the reason when unavailable."""
    from prover.datasets import DatasetError, load_benchmark

    try:
        theorems = load_benchmark("minif2f-rocq", "test", data_dir)
    except DatasetError as e:
        return set(), f"unavailable: {e}"
    return {
        normalize_statement(t.statement) for t in theorems
    }, f"minif2f-rocq test ({len(theorems)} statements)"


def _part_path(out: Path, lib: Library, relpath: str) -> Path:
    return out / "parts" / lib.name / (relpath + ".json")


def _needs_replay(part: Path, retry_skipped: bool) -> bool:
    if not part.exists():
        return True
    return retry_skipped and not json.loads(part.read_text(encoding="utf-8"))["ok"]


def _replay_job(args: tuple[Library, str, list[str], float]) -> FileReplay:
    lib, relpath, names, seconds = args
    return replay_file(lib, relpath, set(names), file_seconds=seconds)


def build_corpus(
    libraries: Iterable[str] = DEFAULT_LIBRARIES,
    out_dir: Path | None = None,
    dirs: tuple[str, ...] | None = None,
    limit_files: int | None = None,
    workers: int = 1,
    file_seconds: float = FILE_SECONDS,
    test_statements: TestStatements | None = None,
    progress: bool = True,
    retry_skipped: bool = False,
    index: Callable[[Path], dict[str, Any]] | None = None,
) -> BuildReport:
    """Replay the files of `libraries` (under `dirs`, default each library's default slice;
    `()` for everything) into `out_dir` (default: the cache), `workers` coqtops at a time.
    Files replayed before are kept; with `retry_skipped`, those skipped (a timeout on a busy
    machine) are replayed again. `index`, when given, runs on the finished corpus (the command
    builds the retrieval index there); the facts it returns join the provenance's `build`."""
    t0 = time.monotonic()
    libs = [library(n) for n in libraries]
    if not libs:
        raise ValueError("no library given")
    out = out_dir or cache_root() / corpus_id(libs)
    out.mkdir(parents=True, exist_ok=True)
    jobs: list[tuple[Library, str]] = []
    for lib in libs:
        files = lib.files(dirs if dirs is not None else None)
        if dirs and not files:
            raise ValueError(f"library {lib.name} has no .v files under {', '.join(dirs)}")
        jobs += [(lib, f) for f in files]
    if limit_files is not None:
        jobs = jobs[:limit_files]
    todo = [(lib, f) for lib, f in jobs if _needs_replay(_part_path(out, lib, f), retry_skipped)]
    reused = len(jobs) - len(todo)
    # The vocabulary of lemma names that tells premises apart: every chosen library's
    # sources and the standard library's (other libraries cite it).
    roots = {lib.root for lib in libs} | {known_libraries()["coq-stdlib"].root}
    names = sorted(
        lemma_names_in(
            p.read_text(encoding="utf-8", errors="replace")
            for r in roots
            if r.is_dir()
            for p in r.rglob("*.v")
        )
    )
    _run_jobs(todo, names, out, workers, file_seconds, progress)
    provenance = merge(out, test_statements or minif2f_test_statements)
    seconds = time.monotonic() - t0
    provenance["build"] = {
        "seconds_this_build": round(seconds, 1),
        "files_replayed_this_build": len(todo),
        "workers": workers,
        "file_seconds": file_seconds,
        "replay_seconds_all_files": provenance.pop("replay_seconds_all_files"),
        "replay_cpu_seconds_all_files": provenance.pop("replay_cpu_seconds_all_files"),
    }
    if index is not None:
        provenance["build"].update(index(out))
    (out / PROVENANCE).write_text(json.dumps(provenance, indent=1, sort_keys=True) + "\n")
    return BuildReport(out, len(todo), reused, time.monotonic() - t0, provenance)


def _run_jobs(
    todo: list[tuple[Library, str]],
    names: list[str],
    out: Path,
    workers: int,
    file_seconds: float,
    progress: bool,
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if not todo:
        return
    columns = (
        TextColumn("corpus"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"),
    )
    with Progress(*columns, disable=not progress, transient=False) as bar:
        task = bar.add_task("replay", total=len(todo), last="")
        args = [(lib, f, names, file_seconds) for lib, f in todo]
        if workers <= 1:
            for a in args:
                _save(out, a[0], _replay_job(a))
                bar.update(task, advance=1, last=a[1])
            return
        with cf.ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_replay_job, a): a for a in args}
            for fut in cf.as_completed(futures):
                lib, relpath = futures[fut][:2]
                try:
                    result = fut.result()
                except Exception as e:  # a worker that died: the file is skipped, not the build
                    result = FileReplay(
                        lib.name, lib.version, relpath, ok=False, reason=f"worker failed: {e}"
                    )
                _save(out, lib, result)
                bar.update(task, advance=1, last=relpath)


def _save(out: Path, lib: Library, result: FileReplay) -> None:
    path = _part_path(out, lib, result.file)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(result.to_dict(), ensure_ascii=False))
    tmp.replace(path)


def _parts(out: Path) -> list[FileReplay]:
    return [
        FileReplay.from_dict(json.loads(p.read_text(encoding="utf-8")))
        for p in sorted((out / "parts").rglob("*.json"))
    ]


def merge(out: Path, test_statements: TestStatements) -> dict:
    """Write tactics.jsonl and lemmas.jsonl from every part, leaving out any proof whose
    statement (or first goal) is a miniF2F test statement; return the provenance."""
    tests, source = test_statements()
    parts = _parts(out)
    excluded: list[str] = []
    counts = dict(
        files_ok=0,
        files_skipped=0,
        proofs=0,
        proofs_failed=0,
        proofs_incomplete=0,
        tactics=0,
        lemmas=0,
    )
    skipped: list[dict] = []
    libraries: dict[str, str] = {}
    tmp_t, tmp_l = out / (TACTICS + ".tmp"), out / (LEMMAS + ".tmp")
    with tmp_t.open("w", encoding="utf-8") as ft, tmp_l.open("w", encoding="utf-8") as fl:
        for part in parts:
            libraries[part.library] = part.version
            if not part.ok:
                counts["files_skipped"] += 1
                skipped.append(
                    {"library": part.library, "file": part.file, "reason": part.reason[:300]}
                )
                continue
            counts["files_ok"] += 1
            counts["proofs_failed"] += part.proofs_failed
            counts["proofs_incomplete"] += part.proofs_incomplete
            bad = {
                lem["name"] for lem in part.lemmas if normalize_statement(lem["statement"]) in tests
            } | {
                row["theorem"]
                for row in part.tactics
                if row["step"] == 0 and _conclusion(row["state"]) in tests
            }
            excluded += [f"{part.library}:{part.file}:{n}" for n in sorted(bad)]
            theorems = {row["theorem"] for row in part.tactics}
            counts["proofs"] += len(theorems - bad)
            for row in part.tactics:
                if row["theorem"] not in bad:
                    ft.write(json.dumps(row, ensure_ascii=False) + "\n")
                    counts["tactics"] += 1
            for lem in part.lemmas:
                if lem["name"] not in bad:
                    fl.write(json.dumps(lem, ensure_ascii=False) + "\n")
                    counts["lemmas"] += 1
    for tmp, final in ((tmp_t, out / TACTICS), (tmp_l, out / LEMMAS)):
        if final.exists() and filecmp.cmp(tmp, final, shallow=False):
            tmp.unlink()  # unchanged: keep the file (and the retrieval index built from it)
        else:
            tmp.replace(final)
    return {
        "format_version": FORMAT_VERSION,
        "libraries": libraries,
        "counts": counts,
        "skipped_files": skipped,
        "test_exclusion": {
            "checked_against": source,
            "checked": bool(tests),
            "excluded_count": len(excluded),
            "excluded": excluded,
        },
        "replay_seconds_all_files": round(sum(p.seconds for p in parts), 1),
        "replay_cpu_seconds_all_files": round(sum(p.cpu_seconds for p in parts), 1),
    }


def _conclusion(state: str) -> str:
    """A single goal with an empty context: its conclusion, normalised (a whole statement)."""
    if "\n\n" in state or not state.startswith("====="):
        return ""
    return normalize_statement(state.split("\n", 1)[1] if "\n" in state else "")
