"""Shared fixtures: the repository's paths and one synth of every shipped environment.

Synthesizing is the slow part of the suite, so the shipped environments are
synthesized once per session (one jsii kernel) and shared by every test.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("CHECKPOINT_DISABLE", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
# No test connects anywhere, and every Node.js process the suite starts (about 80) would parse these
# certificates when it starts (0.4 G instructions each).
os.environ.pop("NODE_EXTRA_CA_CERTS", None)

# The suite synthesizes as the `gpulab` command does: the whole speed layer, on before any test module
# imports cdktf.
from gpulab.speed.fast_import import enable_fast_provider_loading  # noqa: E402

enable_fast_provider_loading()

from gpulab.config.loader import environment_files, load_environment  # noqa: E402
from gpulab.fast_exit import skip_collections_at_exit  # noqa: E402
from tests.background import BackgroundRuns  # noqa: E402

# `--hypothesis-profile=hunt` draws 20 times the examples of the suite's property tests.
settings.register_profile("hunt", max_examples=settings.get_profile("default").max_examples * 20)

REPO = Path(__file__).resolve().parent.parent
ENV_DIR = REPO / "environments"
SHIPPED = sorted(p.stem for p in environment_files(ENV_DIR))


def shipped_on(cloud: str) -> list[str]:
    """The shipped environments of one cloud, by name."""
    return [name for name in SHIPPED if load_environment(ENV_DIR / f"{name}.yaml").cloud == cloud]


@pytest.fixture(scope="session")
def shipped_out(tmp_path_factory) -> Path:
    """cdktf.out of every shipped environment, synthesized in-process once."""
    from gpulab.config import load_environments
    from gpulab.synth.app import synthesize

    root = tmp_path_factory.mktemp("shipped")
    return synthesize(load_environments(ENV_DIR), root / "cdktf.out", state_dir=root)


@pytest.fixture(scope="session")
def stacks(shipped_out) -> dict[str, dict]:
    """Environment name → its parsed cdk.tf.json."""
    return {name: json.loads((shipped_out / "stacks" / name / "cdk.tf.json").read_text()) for name in SHIPPED}


def resources(stack: dict, kind: str) -> dict[str, dict]:
    """All resources of one Terraform type in a synthesized stack."""
    return stack.get("resource", {}).get(kind, {})


def data_sources(stack: dict, kind: str) -> dict[str, dict]:
    """All data sources of one Terraform type in a synthesized stack."""
    return stack.get("data", {}).get(kind, {})


def pytest_configure(config):
    config.addinivalue_line("markers", "background(*names): needs these slow runs (tests/background.py)")
    config.stash[_BACKGROUND] = BackgroundRuns()


def pytest_collection_finish(session):
    """Start every background run a selected test needs, before the first test runs."""
    runs = session.config.stash[_BACKGROUND]
    for item in session.items:
        for marker in item.iter_markers("background"):
            for name in marker.args:
                runs.start(name)


def pytest_unconfigure(config):
    config.stash[_BACKGROUND].close()
    skip_collections_at_exit()  # the session is over: its exit need not collect its garbage (gpulab/fast_exit.py)


@pytest.fixture(scope="session")
def background(pytestconfig) -> BackgroundRuns:
    """The session's background runs: `background.result(name)` waits for one."""
    return pytestconfig.stash[_BACKGROUND]


_BACKGROUND = pytest.StashKey[BackgroundRuns]()
