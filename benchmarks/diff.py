"""Benchmark `gpulab diff --base HEAD`: two synths of every environment plus the comparison.

Run from the repository root after `make install`:

    .venv/bin/python benchmarks/diff.py --reps 5

Alternates `python main.py diff --base HEAD` (every shipped environment, no
checkov) with one `python main.py synth` of the same environments, and
prints each one's median wall time (min–max) and their ratio per
repetition: what a comparison costs over the synth it cannot avoid.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    options = parser.parse_args()
    diffs, synths = [], []
    with tempfile.TemporaryDirectory() as scratch:
        for rep in range(options.reps):
            diffs.append(_timed([sys.executable, "main.py", "diff", "--base", "HEAD"]))
            synths.append(_timed([sys.executable, "main.py", "synth", "--out", f"{scratch}/out-{rep}"]))
            print(f"rep {rep + 1}/{options.reps}: diff {diffs[-1]:.2f} s, synth {synths[-1]:.2f} s", file=sys.stderr)
    ratios = [d / s for d, s in zip(diffs, synths, strict=True)]
    for name, values in (
        ("gpulab diff --base HEAD, all environments", diffs),
        ("gpulab synth, all environments", synths),
    ):
        print(f"{name}: {statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f} s)")
    print(f"diff / synth per repetition: {statistics.median(ratios):.2f}× ({min(ratios):.2f}–{max(ratios):.2f}×)")


if __name__ == "__main__":
    main()
