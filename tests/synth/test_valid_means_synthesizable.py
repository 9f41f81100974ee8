""" "validate says ok" means synth succeeds, and its stack is priced: a property over environments drawn from the
model and catalog."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings

from gpulab.config import load_environments
from gpulab.config.catalog import for_cloud
from gpulab.cost.estimate import estimate
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
            stack_file = out / "stacks" / "drawn" / "cdk.tf.json"
            assert stack_file.stat().st_size > 0
            _assert_priced(envs[0], json.loads(stack_file.read_text()))

    check()


def _assert_priced(env, stack: dict) -> None:
    """`gpulab cost` prices every line of a priced region's stack (and none elsewhere), its total their sum."""
    result = estimate(env, stack)
    figures = [line.usd_per_month for line in result.lines]
    if for_cloud(env.cloud).priced_in(env.region):
        assert None not in figures, result.unpriced
        assert all(figure >= 0 for figure in figures)
        assert result.usd_per_month == pytest.approx(sum(figures), abs=0.01)
    else:
        assert set(figures) <= {None} and result.usd_per_month is None
