"""cdktf's token resolution without its waste: the same output, calls and errors as cdktf's own."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from gpulab.speed.fast_import import TOKEN_RESOLUTION_PRELOAD
from tests.conftest import REPO
from tests.speed.node_probe import run_preloaded, write_node_module

PROBE = Path(__file__).with_name("token_resolution_probe.js").read_text()


@pytest.fixture(scope="module")
def fast_and_ordinary() -> tuple[dict, dict]:
    """The probe's findings with the preload on, and with its switch off."""
    fast = json.loads(run_preloaded(TOKEN_RESOLUTION_PRELOAD, PROBE, cwd=REPO))
    ordinary = json.loads(run_preloaded(TOKEN_RESOLUTION_PRELOAD, PROBE, cwd=REPO, GPULAB_FAST_TOKEN_RESOLUTION="off"))
    return fast, ordinary


def test_the_pinned_cdktf_gets_the_fast_walk_and_the_switch_keeps_its_own(fast_and_ordinary):
    fast, ordinary = fast_and_ordinary
    assert (fast["fast"], ordinary["fast"]) == (True, False)


def test_a_synthesized_app_is_byte_identical(fast_and_ordinary):
    fast, ordinary = fast_and_ordinary
    stacks = fast["synthesized"]["stacks"]
    assert set(stacks) == {"source", "consumer"}
    assert "cross-stack-reference-input-source" in stacks["consumer"]["cdk.tf.json"], "the prepare pass ran"
    assert fast["synthesized"] == ordinary["synthesized"]
    assert any("escape sequences" in warning for warning in ordinary["warnings"])
    assert fast["warnings"] == ordinary["warnings"]


def test_resolutions_make_the_same_resolver_calls_and_raise_the_same_errors(fast_and_ordinary):
    fast, ordinary = fast_and_ordinary
    assert fast["direct"].keys() == ordinary["direct"].keys()
    for case, expected in ordinary["direct"].items():
        assert fast["direct"][case] == expected, case
    errors = {case.split("/")[0] for case, outcome in ordinary["direct"].items() if "error" in outcome}
    assert errors == {
        "function",
        "construct",
        "circular",
        "listInString",
        "mapKeyNotString",
        "mapValueAsString",
        "mapValueAsNumber",
    }
    assert "at '/inside/node'" in ordinary["direct"]["construct/false"]["error"], "errors name the key path"
    assert ordinary["direct"]["tokens/true"]["log"], "the resolver saw the tokens"


def test_a_resolve_module_of_another_source_is_left_alone(tmp_path):
    own = "exports.resolve = function resolve(obj, options) { return 'own'; };\n"
    write_node_module(tmp_path, "cdktf/lib/tokens/private/resolve.js", own)
    script = 'console.log(require("cdktf/lib/tokens/private/resolve").resolve({}, {}))'
    assert run_preloaded(TOKEN_RESOLUTION_PRELOAD, script, cwd=tmp_path).strip() == "own"


def test_the_same_function_in_another_package_is_left_alone(tmp_path):
    source = subprocess.run(
        ["node", "-e", 'console.log(require("cdktf/lib/tokens/private/resolve").resolve.toString())'],
        cwd=REPO,
        env={name: value for name, value in os.environ.items() if name != "NODE_OPTIONS"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    write_node_module(tmp_path, "other/lib/tokens/private/resolve.js", f"exports.resolve = {source};\n")
    script = 'const { resolve } = require("other/lib/tokens/private/resolve"); console.log(resolve.name, !!resolve.gpulabFast)'
    assert run_preloaded(TOKEN_RESOLUTION_PRELOAD, script, cwd=tmp_path).split() == ["resolve", "false"]
