"""The kernel reads provider type definitions by byte range instead of keeping the whole file."""

from __future__ import annotations

import json
import textwrap

from gpulab.speed.fast_import import TYPE_DEFS_PRELOAD
from tests.speed.node_probe import run_preloaded

PROBE = textwrap.dedent(
    """
    const fs = require("fs");
    const [defs, other] = process.argv.slice(1);
    const lazy = fs.readFileSync(defs);
    const ranged = lazy.toString("utf-8", 6, 11);
    const isBuffer = Buffer.isBuffer(lazy);
    const length = lazy.length;  // any other use reads the whole file
    const whole = lazy.toString("utf-8", 0, length);
    const plain = fs.readFileSync(other);
    const patched = fs.readFileSync.toString().includes("DEFS_FILE");
    console.log(JSON.stringify({ranged, isBuffer, length, whole, plainIsBuffer: plain instanceof Uint8Array, patched}));
    """
)


def _probe(tmp_path, **env):
    defs = tmp_path / ".jsii.runtime-defs.v1.jsonl"
    defs.write_text('{"a":1}\n{"b":22}\n')
    other = tmp_path / "other.jsonl"
    other.write_text("x")
    return json.loads(run_preloaded(TYPE_DEFS_PRELOAD, PROBE, str(defs), str(other), **env))


def test_a_ranged_read_returns_exactly_that_range_and_other_uses_see_the_whole_file(tmp_path):
    assert _probe(tmp_path) == {
        "ranged": '}\n{"b',
        "isBuffer": True,
        "length": 17,
        "whole": '{"a":1}\n{"b":22}\n',
        "plainIsBuffer": True,
        "patched": True,
    }


def test_switched_off_the_file_is_read_whole_as_usual(tmp_path):
    result = _probe(tmp_path, GPULAB_LAZY_TYPE_DEFS="off")
    assert (result["ranged"], result["patched"]) == ('}\n{"b', False)
