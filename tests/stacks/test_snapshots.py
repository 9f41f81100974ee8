"""Every shipped environment's full stack, as a reviewed snapshot.

A diff here is a diff of the plan: review it like one. Regenerate with
`.venv/bin/python -m pytest tests/stacks --snapshot-update`.
"""

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from tests.conftest import SHIPPED


@pytest.fixture
def snapshot_json(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_environment_matches_its_snapshot(name, stacks, snapshot_json):
    assert stacks[name] == snapshot_json
