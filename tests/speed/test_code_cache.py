"""Code cache: kernel modules compiled from V8's code cache of an earlier run, and run exactly as Node.js runs them."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

from gpulab.speed.fast_import import CODE_CACHE_PRELOAD
from tests.speed.binding_probe import run_python
from tests.speed.node_probe import run_preloaded, write_node_module

# What a module sees of itself, and where its error points: equal with and without the preload.
SELF_REPORT = textwrap.dedent(
    """\
    "use strict";
    const path = require("path");
    function fail() { throw new Error("from the module"); }
    let where;
    try { fail(); } catch (error) { where = error.stack.split("\\n")[1].trim(); }
    module.exports = {
      thisIsExports: this === module.exports,
      filename: path.basename(__filename),
      dirname: path.basename(__dirname),
      resolved: path.basename(require.resolve("./helper")),
      lookupPaths: require.resolve.paths("anything").length > 0,
      main: require.main === process.mainModule,
      cache: require.cache === require("module")._cache,
      extensions: Object.keys(require.extensions),
      helper: require("./helper"),
      where,
    };
    """
)

# Requires `probe` in the folder given as argv[1]; prints what it exported and the preload's counts.
PROBE = textwrap.dedent(
    """
    const path = require("path");
    const exported = require(path.join(process.argv[1], "node_modules", "probe"));
    let counts = null;
    try { counts = require(process.argv[2]).counts; } catch (error) { counts = null; }
    console.log(JSON.stringify({ exported, counts }));
    """
)


def _project(root: Path, module_source: str = SELF_REPORT) -> Path:
    write_node_module(root, "probe/index.js", module_source)
    write_node_module(root, "probe/helper.js", "module.exports = 'helped';\n")
    return root


def _run(root: Path, cache: Path, *, preload: bool = True, **env: str) -> dict:
    if preload:
        output = run_preloaded(
            CODE_CACHE_PRELOAD, PROBE, str(root), str(CODE_CACHE_PRELOAD), XDG_CACHE_HOME=str(cache), **env
        )
    else:
        output = run_preloaded(Path(os.devnull), PROBE, str(root), "", XDG_CACHE_HOME=str(cache), **env)
    return json.loads(output)


def _entries(cache: Path) -> list[Path]:
    return sorted(path for path in (cache / "gpulab" / "v8-code").glob("*/*") if not path.name.endswith(".tmp"))


def test_a_module_compiled_once_comes_from_the_cache_next_time(tmp_path):
    root, cache = _project(tmp_path / "project"), tmp_path / "cache"

    first = _run(root, cache)
    assert first["counts"] == {"fromCache": 0, "compiled": 2}
    entries = _entries(cache)
    assert len(entries) == 2
    written = {entry: entry.stat().st_mtime_ns for entry in entries}

    second = _run(root, cache)
    assert second["counts"] == {"fromCache": 2, "compiled": 0}
    assert second["exported"] == first["exported"]
    assert {entry: entry.stat().st_mtime_ns for entry in _entries(cache)} == written  # nothing rewritten


def test_a_module_runs_as_node_runs_it(tmp_path):
    root, cache = _project(tmp_path / "project"), tmp_path / "cache"
    plain = _run(root, cache, preload=False)["exported"]

    compiled = _run(root, cache)["exported"]
    from_cache = _run(root, cache)["exported"]

    assert plain["where"].endswith("index.js:3:25)")  # line and column of the throw, as Node.js reports them
    assert compiled == plain
    assert from_cache == plain


def test_a_changed_module_is_compiled_afresh(tmp_path):
    root, cache = _project(tmp_path / "project"), tmp_path / "cache"
    _run(root, cache)
    _project(root, SELF_REPORT.replace("from the module", "changed"))

    assert _run(root, cache)["counts"] == {"fromCache": 1, "compiled": 1}  # the helper is unchanged
    assert len(_entries(cache)) == 3


def test_a_damaged_entry_or_an_unwritable_cache_means_compiling(tmp_path):
    root, cache = _project(tmp_path / "project"), tmp_path / "cache"
    expected = _run(root, cache)["exported"]
    for entry in _entries(cache):
        entry.write_bytes(b"not V8's code cache")

    damaged = _run(root, cache)
    assert damaged["counts"] == {"fromCache": 0, "compiled": 2}  # V8 rejects the bytes; the module compiles
    assert damaged["exported"] == expected
    assert _run(root, cache)["counts"] == {"fromCache": 2, "compiled": 0}  # rewritten at exit

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    for _ in range(2):
        unwritable = _run(root, blocker)
        assert unwritable["counts"] == {"fromCache": 0, "compiled": 2}
        assert unwritable["exported"] == expected


def test_modules_it_cannot_run_alike_are_left_to_node(tmp_path):
    dynamic_import = "module.exports = { load: () => import('./helper.js'), helper: require('./helper') };\n"
    es_module_syntax = "export const helper = 'exported';\n"
    cases = (("dynamic", dynamic_import, "helped", 1), ("esm", es_module_syntax, "exported", 0))
    for name, source, helper, compiled in cases:
        root, cache = _project(tmp_path / name, source), tmp_path / f"cache-{name}"
        result = _run(root, cache)
        assert result["counts"] == {"fromCache": 0, "compiled": compiled}  # the helper, where it is required
        assert result["exported"]["helper"] == helper


def test_under_a_debugger_flag_or_switched_off_nothing_changes(tmp_path):
    root = _project(tmp_path / "project")
    for index, env in enumerate(({"GPULAB_CODE_CACHE": "off"}, {"NODE_OPTIONS": "--inspect-port=0"})):
        cache = tmp_path / f"cache-{index}"
        assert _run(root, cache, **env)["counts"] == {"fromCache": 0, "compiled": 0}
        assert not (cache / "gpulab").exists()


def test_the_kernel_compiles_cdktf_from_the_cache(tmp_path):
    """The real kernel, started as the command starts it, leaves an entry per module it compiled."""
    cache = tmp_path / "cache"
    package_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "aws" / "jsii" / "package-cache"
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(cache),
        "JSII_RUNTIME_PACKAGE_CACHE_ROOT": str(package_cache),  # jsii's own cache stays where it is
        "GPULAB_LAZY_ANNOTATIONS": "off",  # no compile into the empty cache folder
    }
    load_cdktf = (
        "from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading(); "
        f"import cdktf; cdktf.App(outdir={str(tmp_path / 'out')!r})"
    )
    run_python(load_cdktf, env=env)
    written = {entry: entry.stat().st_mtime_ns for entry in _entries(cache)}
    assert len(written) > 100  # cdktf's modules and their dependencies
    run_python(load_cdktf, env=env)
    assert {entry: entry.stat().st_mtime_ns for entry in _entries(cache)} == written  # each one used, none rejected
