"""The benchmark's library variant: the same synth as `main.py`, with only the library opt-in turned on.

`gpulab.enable_fast_loading()` is what a library user calls; the rest of the
speed layer (the `gpulab` command's own) stays off.
"""

import sys

import gpulab

gpulab.enable_fast_loading()

from gpulab.cli import run  # noqa: E402

if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
