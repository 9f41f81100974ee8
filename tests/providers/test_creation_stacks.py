"""cdktf's token creation stacks: the same lines as cdktf's own, formatted only when first read."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from gpulab.providers.fast_import import STACK_TRACES_PRELOAD
from tests.providers.node_probe import run_preloaded, write_node_module

REPO = Path(__file__).resolve().parents[2]

# Runs against the cdktf that package.json pins. `prepared` counts how often V8 formats a stack.
PROBE = textwrap.dedent(
    """
    let prepared = 0;
    const format = Error.prepareStackTrace;
    Error.prepareStackTrace = (error, frames) => { prepared += 1; return format(error, frames); };
    const { captureStackTrace } = require("cdktf/lib/tokens/private/stack-trace");
    function createToken() { return captureStackTrace(); }
    function createInner() { return createToken(); }
    const stacks = [createInner(), createInner(), createToken()];
    const beforeReading = prepared;
    const first = stacks[0];
    console.log(JSON.stringify({
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


def _probe(**env: str) -> dict:
    return json.loads(run_preloaded(STACK_TRACES_PRELOAD, PROBE, cwd=REPO, **env))


def test_creation_stacks_are_cdktfs_own_lines_formatted_only_when_read():
    lazy, ordinary = _probe(), _probe(GPULAB_LAZY_STACK_TRACES="off")
    assert (lazy["implementation"], ordinary["implementation"]) == ("captureStackTraceLazily", "captureStackTrace")
    assert (lazy["beforeReading"], lazy["afterReadingOne"]) == (0, 1)
    assert ordinary["beforeReading"] == 3
    assert lazy["lines"][:2] == ["createToken ([eval]:6:33)", "createInner ([eval]:7:33)"]
    for field in ("isArray", "lines", "joined", "serialized", "keys"):
        assert lazy[field] == ordinary[field], field


def test_other_files_named_stack_trace_are_left_alone(tmp_path):
    write_node_module(
        tmp_path,
        "other/lib/tokens/private/stack-trace.js",
        "exports.captureStackTrace = function own() { return ['own']; };\n",
    )
    script = 'console.log(require("other/lib/tokens/private/stack-trace").captureStackTrace.name)'
    assert run_preloaded(STACK_TRACES_PRELOAD, script, cwd=tmp_path).strip() == "own"
