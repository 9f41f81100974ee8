"""cdktf's keysToSnakeCase with a memo of snakeCase: the same objects out, for cdktf 0.21.0's source only."""

from __future__ import annotations

import json
import textwrap

from gpulab.speed.fast_import import SNAKE_CASE_PRELOAD
from gpulab.speed.switches import SNAKE_CASE_MEMO
from tests.conftest import REPO
from tests.speed.node_probe import run_preloaded, write_node_module

# Runs against the cdktf that package.json pins: every case twice, so that the second meets a filled memo.
PROBE = textwrap.dedent(
    """
    const { Lazy, Token } = require("cdktf");
    const util = require("cdktf/lib/util");
    const lazy = Lazy.stringValue({ produce: () => "x" });
    const cases = [
      { bootDisk: { initializeParams: { diskSizeGb: 10, imageFamily: "x" } }, dependsOn: ["a"] },
      { tags: { CostCenter: "ml", teamName: "a" }, environment: { FOO_BAR: "1" }, labels: { teamName: "b" } },
      { networkInterface: [{ accessConfig: [{ natIp: "x" }], subnetwork: "s" }, "plain", 3] },
      { "foo-bar": 1, __x__: 2, ABCDef: 3, a1B2c3: 4, "": 5, "snake_case": 6, "weird  key!": 7, HTTPServer: 8 },
      { lazyValue: lazy, listOfTokens: [lazy, Token.asString(7)], nested: { tokenMap: Token.asAny({ a: 1 }) } },
      [{ camelCase: 1 }, [{ innerKey: 2 }], "x", 5],
      { listWithNull: [{ a: 1 }, null] },  // cdktf fails on it: so must the memo, alike
    ];
    const out = [];
    for (let round = 0; round < 2; round++) for (const c of cases) {
      try { out.push(util.keysToSnakeCase(c)); } catch (error) { out.push(`${error.name}: ${error.message}`); }
    }
    console.log(JSON.stringify({
      out: out.map((o) => JSON.stringify(o)),
      sameToken: out[4].lazy_value === lazy,
      memo: Boolean(util.keysToSnakeCase.gpulabMemo),
    }));
    """
)


def _probe(**env: str) -> dict:
    return json.loads(run_preloaded(SNAKE_CASE_PRELOAD, PROBE, cwd=REPO, **env))


def test_the_pinned_cdktf_gets_the_memo_and_the_same_objects_out():
    memo, own = _probe(), _probe(**{SNAKE_CASE_MEMO: "off"})
    assert (memo["memo"], own["memo"]) == (True, False)
    assert memo["out"] == own["out"]
    assert memo["sameToken"] and own["sameToken"], "a token is passed through, not copied"
    assert '"boot_disk":{"initialize_params":{"disk_size_gb":10' in memo["out"][0]
    assert '"tags":{"CostCenter":"ml","teamName":"a"}' in memo["out"][1]
    assert memo["out"][6] == json.dumps("TypeError: Cannot convert undefined or null to object")


UTIL_SOURCE = textwrap.dedent(
    """
    function snakeCase(str) { return "own-" + str; }
    function keysToSnakeCase(object) {
      // not cdktf 0.21.0's source
      return Object.fromEntries(Object.entries(object).map(([k, v]) => [snakeCase(k), v]));
    }
    exports.snakeCase = snakeCase;
    exports.keysToSnakeCase = keysToSnakeCase;
    """
)


def test_another_source_or_another_package_is_left_alone(tmp_path):
    for package in ("cdktf", "other"):
        write_node_module(tmp_path, f"{package}/lib/util.js", UTIL_SOURCE)
    script = textwrap.dedent(
        """
        const names = ["cdktf", "other"].map((p) => require(`${p}/lib/util`).keysToSnakeCase({ a: 1 }));
        console.log(JSON.stringify(names));
        """
    )
    assert json.loads(run_preloaded(SNAKE_CASE_PRELOAD, script, cwd=tmp_path)) == [{"own-a": 1}, {"own-a": 1}]
