"""cdktf's archiver and semver are loaded on first use, and only for cdktf's own files."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from gpulab.speed.fast_import import CDKTF_DEPS_PRELOAD
from tests.speed.node_probe import run_preloaded, write_node_module

PROBE = textwrap.dedent(
    """
    const { archiverFromCdktf } = require("cdktf/lib/private/fs");
    const afterRequire = [...(globalThis.loaded || [])];
    const zipped = archiverFromCdktf("zip", { level: 9 });
    const afterCall = [...globalThis.loaded];
    const version = archiverFromCdktf.VERSION;
    const direct = require("archiver");
    console.log(JSON.stringify({ afterRequire, afterCall, zipped, version, directIsReal: typeof direct.VERSION }));
    """
)


def _packages(root: Path) -> Path:
    """node_modules with a fake archiver that records being loaded, and a cdktf file that requires it."""
    write_node_module(
        root,
        "archiver/index.js",
        'globalThis.loaded = (globalThis.loaded || []).concat("archiver");\n'
        "module.exports = (format, options) => `${format}:${options.level}`;\n"
        'module.exports.VERSION = "7.0.1";\n',
    )
    write_node_module(root, "cdktf/lib/private/fs.js", 'exports.archiverFromCdktf = require("archiver");\n')
    return root


def _probe(root: Path, **env: str) -> dict:
    return json.loads(run_preloaded(CDKTF_DEPS_PRELOAD, PROBE, cwd=root, **env))


def test_cdktf_gets_a_stand_in_that_loads_archiver_when_first_used(tmp_path):
    assert _probe(_packages(tmp_path)) == {
        "afterRequire": [],
        "afterCall": ["archiver"],
        "zipped": "zip:9",
        "version": "7.0.1",
        "directIsReal": "string",
    }


def test_switched_off_cdktf_loads_archiver_at_once(tmp_path):
    assert _probe(_packages(tmp_path), GPULAB_LAZY_CDKTF_DEPS="off")["afterRequire"] == ["archiver"]
