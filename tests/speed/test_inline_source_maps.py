"""Modules are compiled without their inline source map while source maps are off, and nothing else changes."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from gpulab.speed.fast_import import INLINE_SOURCE_MAPS_PRELOAD
from tests.conftest import REPO
from tests.speed.node_probe import run_preloaded, write_node_module

# Records what reaches Node.js's own compile: preloaded before the preload under test, it sits beneath it.
RECORDER = """
const Module = require("module");
const compile = Module.prototype._compile;
globalThis.compiled = {};
Module.prototype._compile = function (content, filename, ...rest) {
  globalThis.compiled[filename] = content;
  return compile.call(this, content, filename, ...rest);
};
"""

# Maps line 1, column 0 of the module to line 7 of original.ts: with source maps on, a stack names it.
MAP_COMMENT = (
    "//# sourceMappingURL=data:application/json;base64,"
    + base64.b64encode(
        json.dumps({"version": 3, "sources": ["original.ts"], "names": [], "mappings": "AAMA"}).encode()
    ).decode()
)
CODE = 'exports.fail = () => { throw new Error("from the module"); };\n'

PROBE = """
const requested = process.argv[1];
const loaded = require(requested);
let stack = "";
try { loaded.fail && loaded.fail(); } catch (error) { stack = error.stack; }
console.log(JSON.stringify({ compiled: globalThis.compiled, original: stack.includes("original.ts:7") }));
"""


def _run(root: Path, request: str, *node_options: str, **env: str) -> dict:
    """What each module under `root`'s node_modules (followed to its real path) was compiled from, by file."""
    recorder = root / "recorder.js"
    recorder.write_text(RECORDER)
    stdout = run_preloaded(
        INLINE_SOURCE_MAPS_PRELOAD, PROBE, request, cwd=root, before=[recorder], node_options=node_options, **env
    )
    output = json.loads(stdout)
    modules = (root / "node_modules").resolve()
    compiled = {
        Path(file).relative_to(modules).as_posix(): content
        for file, content in output["compiled"].items()
        if Path(file).is_relative_to(modules)
    }
    return {"compiled": compiled, "original": output["original"]}


def _module(root: Path, name: str, source: str) -> str:
    write_node_module(root, f"{name}/index.js", source)
    return name


def test_a_last_line_inline_source_map_is_left_out_of_the_compiled_module(tmp_path):
    for ending in ("", "\n", "  \n\n"):
        name = _module(tmp_path, f"mapped{len(ending)}", CODE + MAP_COMMENT + ending)
        result = _run(tmp_path, name)
        assert result["compiled"] == {f"{name}/index.js": CODE}
        assert not result["original"]


def test_only_the_map_on_the_last_line_is_left_out(tmp_path):
    code = "const text = `\n//# sourceMappingURL=data:not-a-map`;\n" + CODE
    name = _module(tmp_path, "two-marks", code + MAP_COMMENT + "\n")
    assert _run(tmp_path, name)["compiled"] == {f"{name}/index.js": code}


def test_other_modules_compile_as_written(tmp_path):
    sources = {
        "plain": CODE,
        "mapped-to-a-file": CODE + "//# sourceMappingURL=index.js.map\n",
        "code-after-the-map": CODE + MAP_COMMENT + "\nexports.after = 1;\n",
        "map-in-a-string": 'exports.text = "\\n//# sourceMappingURL=data:x";\n',
    }
    for name, source in sources.items():
        assert _run(tmp_path, _module(tmp_path, name, source))["compiled"] == {f"{name}/index.js": source}


def test_with_source_maps_on_the_map_is_compiled_and_used(tmp_path):
    name = _module(tmp_path, "mapped", CODE + MAP_COMMENT)
    for on in (["--enable-source-maps"], []):
        env = {} if on else {"NODE_OPTIONS": "--enable-source-maps"}
        result = _run(tmp_path, name, *on, **env)
        assert result == {"compiled": {"mapped/index.js": CODE + MAP_COMMENT}, "original": True}


def test_switched_off_the_map_is_compiled(tmp_path):
    name = _module(tmp_path, "mapped", CODE + MAP_COMMENT)
    result = _run(tmp_path, name, GPULAB_SKIP_INLINE_SOURCE_MAPS="off")
    assert result["compiled"] == {"mapped/index.js": CODE + MAP_COMMENT}


def test_cdktf_compiles_without_its_maps_and_otherwise_unchanged(tmp_path):
    """Against the pinned cdktf: what is compiled is each file up to its inline map."""
    (tmp_path / "node_modules").symlink_to(REPO / "node_modules")
    compiled = _run(tmp_path, "cdktf")["compiled"]
    cdktf_files = {file: content for file, content in compiled.items() if file.startswith("cdktf/lib/")}
    assert len(cdktf_files) > 20
    stripped = 0
    for file, content in cdktf_files.items():
        written = (REPO / "node_modules" / file).read_text()
        assert "sourceMappingURL=data:" not in content
        assert written.startswith(content)
        rest = written[len(content) :]
        assert rest == "" or rest.startswith("//# sourceMappingURL=data:application/json;base64,")
        stripped += rest != ""
    assert stripped > 20
