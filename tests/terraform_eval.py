"""Evaluate a Terraform expression with the real terraform CLI, offline.

Outputs need no provider plugin, so `terraform apply` of a configuration that
holds only an output works without a network or credentials.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path


def evaluate(interpolation: str) -> str:
    """The string value of a synthesized string (a template, e.g. `${...}`) as Terraform computes it."""
    with tempfile.TemporaryDirectory(prefix="gpulab-tf-eval-") as folder:
        config = {"output": {"value": {"value": interpolation}}}
        (Path(folder) / "main.tf.json").write_text(json.dumps(config))
        env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
        for args in (["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]):
            subprocess.run(["terraform", *args], cwd=folder, env=env, check=True, capture_output=True)
        result = subprocess.run(
            ["terraform", "output", "-raw", "value"], cwd=folder, env=env, check=True, capture_output=True, text=True
        )
        return result.stdout


def decode_base64(interpolation: str) -> str:
    """What `base64decode` gives for a synthesized `${base64encode(...)}`: the text a VM receives."""
    return evaluate("${base64decode(" + interpolation[2:-1] + ")}")
