"""Few-shot examples for informal-to-formal prompts: the DSP paper's 20 hand-written Isar
sketches, in the two prompt sets Llemma's evaluation used.

Read from ``dsp-prompt-examples/prompt_examples.jsonl`` in the data folder, or downloaded
once from the pinned upstream commit into the cache.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from prover.theorem import Theorem

UPSTREAM_REPO = "albertqjiang/draft_sketch_prove"
UPSTREAM_COMMIT = "647aa65ca7b89f4e0f7a65dc15b4e64a81af5e80"
UPSTREAM_FOLDER = "data/paper_prompt_examples/"
# At that commit every example is a miniF2F valid problem named by its tag, except these.
RENAMED = {"aimeI_2001_p3": "aimeII_2001_p3"}
TEST_PROBLEMS = frozenset({"numbertheory_3pow2pownm1mod2pownp3eq2pownp2"})

# Llemma's two few-shot sets, chosen by whether the statement is a number theory problem.
NUMBER_THEORY_SET = (
    "aime_1983_p9",
    "mathd_numbertheory_188",
    "numbertheory_2dvd4expn",
    "mathd_numbertheory_466",
    "mathd_numbertheory_48",
    "mathd_numbertheory_335",
    "mathd_numbertheory_284",
)
OTHER_SET = (
    "aime_1983_p9",
    "algebra_3rootspoly_amdtamctambeqnasqmbpctapcbtdpasqmbpctapcbta",
    "mathd_numbertheory_188",
    "amc12b_2002_p3",
    "algebra_binomnegdiscrineq_10alt28asqp1",
    "algebra_2rootsintpoly_am10tap11eqasqpam110",
)
FOLDER = "dsp-prompt-examples"


def download(target: Path) -> Path:
    """Fetch the upstream examples into target/prompt_examples.jsonl (fields as the data folder's)."""
    from prover.datasets.jsonl import fetch_github_tarball, write_jsonl

    records = []
    with fetch_github_tarball(UPSTREAM_REPO, UPSTREAM_COMMIT) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            path = member.name.split("/", 1)[-1]
            if not (path.startswith(UPSTREAM_FOLDER) and path.endswith(".json")):
                continue
            record = json.loads(tar.extractfile(member).read())
            tag = record.get("tag") or Path(path).stem
            name = RENAMED.get(tag, tag)
            split = "test" if name in TEST_PROBLEMS else "valid"
            records.append(
                record | {"source_path": path, "minif2f_name": name, "minif2f_split": split}
            )
    return write_jsonl(target / "prompt_examples.jsonl", records)


def load_examples(data_dir: str | os.PathLike | None = None, fetch: bool = True) -> list[dict]:
    """The examples from the data folder, else from the download cache (downloading them once)."""
    from prover.datasets import DatasetError, cache_dir, candidate_dirs

    for d in candidate_dirs(data_dir):
        f = d / FOLDER / "prompt_examples.jsonl"
        if f.exists():
            return [
                json.loads(line)
                for line in f.read_text(encoding="utf-8").splitlines()
                if line.strip()
            ]
    if not fetch:
        raise DatasetError(f"{FOLDER}/prompt_examples.jsonl not found in the data folder")
    try:
        f = download(cache_dir() / FOLDER)
    except Exception as e:  # every network failure ends the same way for the user
        raise DatasetError(
            f"few-shot examples not found locally and download failed ({e}); pass --data-dir DIR "
            f"or set PROVER_DATA_DIR to a folder holding {FOLDER}/prompt_examples.jsonl"
        ) from e
    return load_examples(f.parent.parent, fetch=False)


def select_examples(theorem: Theorem, examples: list[dict]) -> list[str]:
    """Llemma's prompt set for this problem, never including the problem itself, nor (on the
    test split) an example that is a test problem. Examples are named as Llemma named them."""
    wanted = NUMBER_THEORY_SET if "numbertheory" in theorem.statement else OTHER_SET
    by_name = {e.get("minif2f_name") or e.get("tag"): e for e in examples}
    chosen = []
    for name in wanted:
        e = by_name.get(name)
        if e is None or name == theorem.name:
            continue
        if theorem.split == "test" and e.get("minif2f_split") == "test":
            continue
        prompt = e["prompt"].strip()
        if e.get("minif2f_name"):
            prompt = prompt.replace("\nFormal:\ntheorem\n", f"\nFormal:\ntheorem {name}:\n", 1)
        chosen.append(prompt)
    return chosen
