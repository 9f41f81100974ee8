""" "validate says ok" means synth succeeds: a property over environments drawn from the model and catalog."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings

from gpulab.config import load_environments
from gpulab.errors import ConfigError
from gpulab.synth.app import synthesize
from tests.strategies import CLOUDS, environment_files

# Each example is one in-process synth (tens of milliseconds): the suite's share is bounded here.
# `pytest --hypothesis-profile=hunt` (tests/conftest.py) draws many more, to hunt on purpose.
EXAMPLES_PER_CLOUD = 15


@pytest.mark.parametrize("cloud", CLOUDS)
def test_every_environment_that_validates_synthesizes(cloud):
    @settings(
        max_examples=EXAMPLES_PER_CLOUD * settings().max_examples // settings.get_profile("default").max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(environment_files(cloud))
    def check(settings_file: dict) -> None:
        with tempfile.TemporaryDirectory() as root:
            env_dir = Path(root) / "environments"
            env_dir.mkdir()
            (env_dir / "drawn.yaml").write_text(yaml.safe_dump(settings_file))
            try:
                envs = load_environments(env_dir)
            except ConfigError:
                assume(False)
            out = synthesize(envs, Path(root) / "cdktf.out", state_dir=Path(root))
            assert (out / "stacks" / "drawn" / "cdk.tf.json").stat().st_size > 0

    check()
