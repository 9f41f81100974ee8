"""cdktf's token creation stacks: not recorded by default; when recorded, cdktf's own lines formatted only when read."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from gpulab.speed.fast_import import CREATION_STACKS_PRELOAD
from gpulab.speed.switches import LAZY_STACK_TRACES, SKIP_CREATION_STACKS
from tests.conftest import REPO
from tests.speed.node_probe import run_preloaded, write_node_module

NOT_RECORDED = "creation stacks are not recorded (GPULAB_SKIP_CREATION_STACKS=off records them)"
RECORDED = {SKIP_CREATION_STACKS: "off"}

# Runs against the cdktf that package.json pins. `captured` counts V8 stack captures, `prepared` formattings.
PROBE = textwrap.dedent(
    """
    let captured = 0, prepared = 0;
    const capture = Error.captureStackTrace;
    Error.captureStackTrace = function (...args) { captured += 1; return capture.apply(this, args); };
    const format = Error.prepareStackTrace;
    Error.prepareStackTrace = (error, frames) => { prepared += 1; return format(error, frames); };
    const { captureStackTrace } = require("cdktf/lib/tokens/private/stack-trace");
    function createToken() { return captureStackTrace(); }
    function createInner() { return createToken(); }
    const stacks = [createInner(), createInner(), createToken()];
    const [capturedBeforeReading, beforeReading] = [captured, prepared];
    const first = stacks[0];
    console.log(JSON.stringify({
      capturedBeforeReading,
      beforeReading,
      afterReadingOne: (first.length, prepared),
      isArray: Array.isArray(first),
      lines: [...first],
      joined: first.join("\\n  at "),
      serialized: JSON.stringify(stacks[2]),
      keys: Object.keys(stacks[1]).length,
      implementation: captureStackTrace.name,
    }));
    """
)

# A token whose resolution fails: cdktf's message names where the token was created.
FAILED_RESOLUTION = textwrap.dedent(
    """
    const { App, Lazy, TerraformOutput, TerraformStack } = require("cdktf");
    const app = new App({ outdir: process.argv[1] });
    const stack = new TerraformStack(app, "stack");
    new TerraformOutput(stack, "out", { value: Lazy.stringValue({ produce() { throw new Error("boom"); } }) });
    try { app.synth(); } catch (error) { console.log(JSON.stringify(error.message)); }
    """
)


def _probe(**env: str) -> dict:
    return json.loads(run_preloaded(CREATION_STACKS_PRELOAD, PROBE, cwd=REPO, **env))


def _failed_resolution_message(out: Path, **env: str) -> str:
    return json.loads(run_preloaded(CREATION_STACKS_PRELOAD, FAILED_RESOLUTION, str(out), cwd=REPO, **env))


def test_by_default_nothing_is_captured_and_each_stack_is_one_line_that_says_so():
    skipped = _probe()
    assert skipped["implementation"] == "skipCreationStack"
    assert (skipped["capturedBeforeReading"], skipped["beforeReading"], skipped["afterReadingOne"]) == (0, 0, 0)
    assert skipped["isArray"]
    assert skipped["lines"] == [NOT_RECORDED]
    assert skipped["serialized"] == json.dumps([NOT_RECORDED], separators=(",", ":"))


def test_a_resolution_error_keeps_its_form_with_that_line_in_place_of_the_frames(tmp_path):
    message = _failed_resolution_message(tmp_path / "skipped")
    assert message == f"Resolution error: boom.\nObject creation stack:\n  at {NOT_RECORDED}"
    recorded = _failed_resolution_message(tmp_path / "recorded", **RECORDED)
    assert recorded.startswith("Resolution error: boom.\nObject creation stack:\n  at new LazyBase (")
    assert NOT_RECORDED not in recorded


def test_recorded_stacks_are_cdktfs_own_lines_formatted_only_when_read():
    lazy, ordinary = _probe(**RECORDED), _probe(**RECORDED, **{LAZY_STACK_TRACES: "off"})
    assert (lazy["implementation"], ordinary["implementation"]) == ("captureStackTraceLazily", "captureStackTrace")
    assert lazy["capturedBeforeReading"] == ordinary["capturedBeforeReading"] == 3
    assert (lazy["beforeReading"], lazy["afterReadingOne"]) == (0, 1)
    assert ordinary["beforeReading"] == 3
    assert lazy["lines"][:2] == ["createToken ([eval]:8:33)", "createInner ([eval]:9:33)"]
    for field in ("isArray", "lines", "joined", "serialized", "keys"):
        assert lazy[field] == ordinary[field], field


@pytest.mark.parametrize("env", [{}, RECORDED], ids=["skipped", "lazy"])
def test_other_files_named_stack_trace_are_left_alone(tmp_path, env):
    write_node_module(
        tmp_path,
        "other/lib/tokens/private/stack-trace.js",
        "exports.captureStackTrace = function own() { return ['own']; };\n",
    )
    script = 'console.log(require("other/lib/tokens/private/stack-trace").captureStackTrace.name)'
    assert run_preloaded(CREATION_STACKS_PRELOAD, script, cwd=tmp_path, **env).strip() == "own"
