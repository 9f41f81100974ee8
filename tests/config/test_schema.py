"""The environment file's JSON Schema: generated from the model, committed for editors, and true to the files."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from gpulab.cli import run
from gpulab.config.schema import environment_schema
from tests.conftest import ENV_DIR, REPO

COMMITTED = REPO / "docs" / "environment.schema.json"
FILES = sorted(ENV_DIR.glob("*.yaml"))


def test_the_committed_schema_is_what_gpulab_schema_prints(capsys):
    """Regenerate with `.venv/bin/python main.py schema > docs/environment.schema.json` after a model change."""
    assert run(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == environment_schema() == json.loads(COMMITTED.read_text())
    jsonschema.Draft202012Validator.check_schema(printed)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_shipped_file_conforms_and_names_the_schema(path):
    jsonschema.validate(yaml.safe_load(path.read_text()), environment_schema())
    if not path.name.startswith("_"):
        assert path.read_text().splitlines()[0] == "# yaml-language-server: $schema=../docs/environment.schema.json"


@pytest.mark.parametrize(
    "change,complaint",
    [
        ({"machines": [{"name": "trainer", "gpu": {"type": "t4", "count": 99}}]}, "99 is greater than the maximum"),
        ({"clod": "aws"}, "Additional properties are not allowed ('clod' was unexpected)"),
        ({"cloud": "ibm"}, "'ibm' is not one of ['aws', 'azure', 'gcp', 'openstack']"),
    ],
)
def test_an_editor_sees_what_the_schema_refuses(change, complaint):
    base = yaml.safe_load((ENV_DIR / "dev.yaml").read_text())
    with pytest.raises(jsonschema.ValidationError) as raised:
        jsonschema.validate({**base, **change}, environment_schema())
    assert complaint in str(raised.value)


def test_a_file_that_extends_a_base_need_not_repeat_what_the_base_gives():
    jsonschema.validate({"extends": "_fleet.yaml", "machines": [{"name": "worker", "count": 3}]}, environment_schema())
    with pytest.raises(jsonschema.ValidationError, match="'cloud' is a required property"):
        jsonschema.validate({"machines": []}, environment_schema())
