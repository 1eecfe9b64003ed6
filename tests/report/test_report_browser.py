"""The HTML report as a user sees it: rendered by headless Chromium (Debian's `chromium`,
installed by scripts/install_test_tools.sh), on a 10-theorem run with one proof beside a
second method's run. Checks what the page shows, not just what the file holds."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from prover.report import write_report
from prover.report.stats import budget_limit, cumulative_curve, pass_rate_curve
from prover.results import ResultRecord, ResultsWriter, config_id

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
WALL = 30.0
# Runs after load: writes, for each image, whether the browser decoded it and where it sits.
PROBE = """<script>
window.addEventListener('load', () => {
  const out = [...document.images].map(i => {
    const r = i.getBoundingClientRect();
    return {alt: i.alt, w: i.naturalWidth, h: i.naturalHeight,
            x: r.left, y: r.top + window.scrollY, cw: r.width, ch: r.height};
  });
  const pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def run_file(tmp_path, method: str, proved: dict[str, float]):
    cfg = {"system": "coq", "method": method, "budget": {"wall_seconds": WALL, "expansions": 8}}
    path = tmp_path / f"{method}.jsonl"
    w = ResultsWriter(path)
    for i in range(10):
        name = f"t{i}"
        w.append(
            ResultRecord(
                name=name,
                system="coq",
                split="valid",
                status="proved" if name in proved else "failed",
                wall_seconds=proved.get(name, WALL),
                expansions=2 if name in proved else 8,
                method=method,
                config=cfg,
                config_id=config_id(cfg),
            )
        )
    return path


def test_curves_are_honest_with_one_proof(tmp_path):
    from prover.results import read_results

    records = read_results(run_file(tmp_path, "portfolio", {"t3": 2.5}))
    cfg = records[0].config
    assert budget_limit(records, cfg, "seconds") == WALL
    curve = cumulative_curve(records, WALL)
    # from 0 before the proof, up at 2.5 s, carried flat to the budget: a visible line
    assert curve[0][1] == 0.0 and (2.5, 0.1) in curve and curve[-1] == (WALL, 0.1)
    assert pass_rate_curve(records, "seconds")[-1] == (2.5, 0.1)


def _rgb(png):
    import matplotlib.image as mpimg

    return (mpimg.imread(png)[..., :3] * 255).astype(int)


def _coloured(pixels, colour, tol=40) -> int:
    import numpy as np

    return int((np.abs(pixels - np.array(colour)).sum(axis=-1) < tol).sum())


@pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (scripts/install_test_tools.sh)"
)
def test_report_page_in_headless_chromium(tmp_path):
    a = run_file(tmp_path, "portfolio", {"t3": 2.5})
    b = run_file(tmp_path, "search", {"t1": 4.0, "t5": 12.0})
    html = write_report([a, b], tmp_path / "report")
    probed = tmp_path / "probed.html"
    probed.write_text(html.read_text().replace("</body>", PROBE + "</body>"))
    profile = tmp_path / "profile"
    base = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--window-size=1280,4000"]
    dom = subprocess.run(
        [*base, "--virtual-time-budget=5000", "--dump-dom", probed.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert "Evaluation report" in dom and "portfolio" in dom and "search" in dom
    images = {i["alt"]: i for i in json.loads(dom.split('<pre id="probe">')[1].split("</pre>")[0])}
    assert set(images) == {"Pass rate vs budget", "Time to proof"}
    assert all(i["w"] > 0 and i["h"] > 0 for i in images.values())  # the browser decoded them
    shot = tmp_path / "page.png"
    subprocess.run(
        [*base, f"--screenshot={shot}", probed.as_uri()], capture_output=True, timeout=120
    )
    pixels = _rgb(shot)
    blue, orange = (31, 119, 180), (255, 127, 14)  # matplotlib's first two line colours
    t = images["Time to proof"]
    x0, y0, w, h = int(t["x"]), int(t["y"]), int(t["cw"]), int(t["ch"])
    cumulative = pixels[y0 : y0 + h, x0 + w // 2 : x0 + w]  # the right panel
    # Both methods' lines are drawn in the cumulative panel, the one-proof run included (its
    # legend swatch alone is about 50 pixels; the line is hundreds).
    assert _coloured(cumulative, blue) > 200 and _coloured(cumulative, orange) > 200
    p = images["Pass rate vs budget"]
    x0, y0, w, h = int(p["x"]), int(p["y"]), int(p["cw"]), int(p["ch"])
    seconds = pixels[y0 : y0 + h, x0 + w // 2 : x0 + w]
    # The one-proof run's line runs to the budget (30 s): it reaches the right part of the axes,
    # far past its only proof at 2.5 s.
    right_part = seconds[:, int(0.75 * seconds.shape[1]) : int(0.9 * seconds.shape[1])]
    assert _coloured(right_part, blue) > 30 and _coloured(right_part, orange) > 30
