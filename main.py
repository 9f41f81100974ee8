#!/usr/bin/env python
"""cdktf entry point (cdktf.json "app"): with no arguments, synthesize every environment."""

import sys

from gpulab.cli import run

if __name__ == "__main__":
    sys.exit(run())
