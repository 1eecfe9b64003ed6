"""miniF2F in Isabelle (facebookresearch/miniF2F, with DSP's informal statements and proofs).

Each record holds a whole upstream theory. The formal statement is the main theorem from
`theorem NAME` up to its first proof command; the header is everything before it (the
`theory ... imports ... begin` line and any helper definitions), so header + statement +
proof + `end` rebuilds a checkable theory.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from prover.datasets.jsonl import fetch_github_tarball, read_jsonl, write_jsonl
from prover.theorem import Theorem

UPSTREAM_REPO = "facebookresearch/miniF2F"
UPSTREAM_COMMIT = "e4f113090ad82d64f8ce064d2f55b613a9b6bded"

# Commands that start a proof after a statement (the statement ends before the first one).
_PROOF_START = re.compile(
    r"(?<![\w'.])(proof|by|sorry|oops|apply|using|unfolding|including|supply)(?![\w'])|(?<=\s)\.\.?(?=\s)"
)
_THEOREM = re.compile(r"^\s*(theorem|lemma)\s+([A-Za-z0-9_']+)\s*:?", re.M)


class StatementNotFound(ValueError):
    pass


def strip_comments(text: str) -> str:
    """Blank out (* ... *) comments (nested) keeping offsets, so patterns never match inside them."""
    out, depth, i = list(text), 0, 0
    while i < len(text):
        if text.startswith("(*", i):
            depth += 1
            out[i] = out[i + 1] = " "
            i += 2
        elif depth and text.startswith("*)", i):
            depth -= 1
            out[i] = out[i + 1] = " "
            i += 2
        else:
            if depth and text[i] != "\n":
                out[i] = " "
            i += 1
    return "".join(out)


def _outside_quotes(text: str, start: int, end: int) -> bool:
    return text.count('"', start, end) % 2 == 0


def split_theory(theory: str, name: str) -> tuple[str, str]:
    """(header, statement) of theorem `name` in an upstream theory."""
    plain = strip_comments(theory)
    m = next((m for m in _THEOREM.finditer(plain) if m.group(2) == name), None)
    if m is None:
        raise StatementNotFound(f"no theorem {name} in the theory")
    body_start = m.end()
    for p in _PROOF_START.finditer(plain, body_start):
        if _outside_quotes(plain, body_start, p.start()):
            start = m.start() + (len(plain[m.start() :]) - len(plain[m.start() :].lstrip()))
            return theory[:start].rstrip() + "\n", theory[start : p.start()].rstrip()
    raise StatementNotFound(f"theorem {name} has no proof command after its statement")


def load(path: Path, split: str) -> list[Theorem]:
    out = []
    for r in read_jsonl(path):
        if split != "all" and r["split"] != split:
            continue
        header, statement = split_theory(r["isabelle_theory"], r["name"])
        out.append(
            Theorem(
                name=r["name"],
                system="isabelle",
                statement=statement,
                header=header,
                split=r["split"],
                informal_statement=r.get("informal_statement"),
                informal_proof=r.get("informal_proof"),
            )
        )
    return out


def download(target: Path) -> Path:
    records = []
    with fetch_github_tarball(UPSTREAM_REPO, UPSTREAM_COMMIT) as tar:
        members = {m.name.split("/", 1)[1]: m for m in tar.getmembers() if "/" in m.name}
        for split in ("test", "valid"):
            for path in sorted(
                p for p in members if p.startswith(f"isabelle/{split}/") and p.endswith(".thy")
            ):
                name = Path(path).stem
                informal = members.get(f"informal/{split}/{name}.json")
                info = json.loads(tar.extractfile(informal).read()) if informal else {}
                records.append(
                    {
                        "name": name,
                        "split": split,
                        "informal_statement": info.get(
                            "informal_statement", info.get("problem", "")
                        ),
                        "informal_proof": info.get("informal_proof", info.get("solution", "")),
                        "isabelle_theory": tar.extractfile(members[path]).read().decode(),
                    }
                )
    return write_jsonl(target / "minif2f.jsonl", records)
