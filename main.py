#!/usr/bin/env python
"""cdktf entry point (cdktf.json "app"): with no arguments, synthesize every environment."""

import sys

from gpulab.cli import entry_point

if __name__ == "__main__":
    sys.exit(entry_point())
