#!/bin/bash
# The training job `gpulab run --script training/train.sh` hands every machine (train.yml runs it): replace it
# with your own. It runs in /data/runs/<run id> on the data disk; what it leaves in $GPULAB_RESULTS comes back
# under runs/<run id>/<machine>/results/, its output under runs/<run id>/<machine>/output.log.
set -euo pipefail
echo "run $GPULAB_RUN_ID on $GPULAB_MACHINE, arguments: $*"
nvidia-smi --query-gpu=name,memory.total --format=csv > "$GPULAB_RESULTS/gpus.csv"
