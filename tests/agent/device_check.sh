#!/usr/bin/env bash
# Where a GPU machine is lent (the `device` tool): the idle watchdog's parser against the real nvidia-smi.
# Needs only Python: gpulab/agent/idle_watchdog.py imports nothing outside the standard library; with pytest
# there, the test file runs too.
set -euo pipefail
cd "$(dirname "$0")/../.."
nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader,nounits
PYTHONPATH=. python3 -c 'from gpulab.agent.idle_watchdog import gpu_readings; r = gpu_readings(); print(r); assert r'
if python3 -c 'import pytest' 2>/dev/null; then
  PYTHONPATH=. python3 -m pytest -q -p no:cacheprovider --noconftest -rs tests/agent/test_real_nvidia_smi.py
fi
