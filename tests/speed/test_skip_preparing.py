"""Apps gpulab marks are synthesized without cdktf's preparing pass, to the same files, or the ordinary way."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from gpulab.speed.fast_import import SKIP_PREPARING_PRELOAD
from gpulab.speed.skip_preparing import CONTEXT_KEY
from tests.conftest import REPO
from tests.speed.node_probe import run_preloaded, write_node_module

# Builds two stacks with cdktf itself (argv: outdir, scenario), synthesizes, and reports what happened.
APP_PROBE = textwrap.dedent(
    """
    const fs = require("fs"), path = require("path");
    const cdktf = require("cdktf");
    const [outdir, scenario] = process.argv.slice(1);
    let resolved = 0, produced = 0; // each pass over the elements turns each output into Terraform once
    const toTerraform = cdktf.TerraformOutput.prototype.toTerraform;
    cdktf.TerraformOutput.prototype.toTerraform = function () { resolved++; return toTerraform.call(this); };

    const app = new cdktf.App({ outdir });
    if (scenario !== "unmarked") app.node.setContext("%(marker)s", true);
    const first = new cdktf.TerraformStack(app, "first");
    const local = new cdktf.TerraformLocal(first, "greeting", "hello");
    new cdktf.TerraformOutput(first, "greeting_out", { value: local.asString });
    const second = new cdktf.TerraformStack(app, "second");
    new cdktf.TerraformOutput(second, "joined", { value: cdktf.Fn.join("-", ["a", "b"]) });
    if (scenario === "cross") new cdktf.TerraformOutput(second, "borrowed", { value: local.asString });
    if (scenario === "lazy") {
      new cdktf.TerraformOutput(second, "counted", { value: cdktf.Lazy.stringValue({ produce: () => `call ${++produced}` }) });
    }
    if (scenario === "failing") cdktf.Annotations.of(first).addError("first is broken");
    if (scenario === "aspect") cdktf.Aspects.of(second).add({ visit: (node) => { if (node === second) produced++; } });
    let raised = null;
    try { app.synth(); } catch (error) { raised = error.message.split("\\n").slice(0, 2).join(" | "); }
    const tree = {};
    const walk = (folder) => fs.existsSync(folder) && fs.readdirSync(folder, { withFileTypes: true }).forEach((entry) => {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(file); else tree[path.relative(outdir, file)] = fs.readFileSync(file, "utf8");
    });
    walk(outdir);
    console.log(JSON.stringify({ resolved, produced, raised, tree }));
    """
) % {"marker": CONTEXT_KEY}


def _synth(tmp_path: Path, scenario: str, switch: str) -> dict:
    outdir = tmp_path / f"{scenario}-{switch}"
    output = run_preloaded(
        SKIP_PREPARING_PRELOAD, APP_PROBE, str(outdir), scenario, cwd=REPO, GPULAB_SKIP_PREPARING=switch
    )
    return json.loads(output)


def test_a_marked_app_is_written_without_the_preparing_pass_to_the_same_files(tmp_path):
    skipped, ordinary = _synth(tmp_path, "plain", "on"), _synth(tmp_path, "plain", "off")
    assert (skipped["resolved"], ordinary["resolved"]) == (2, 4), "one pass over the two outputs, not two"
    assert skipped["tree"] == ordinary["tree"]
    assert set(skipped["tree"]) == {"manifest.json", "stacks/first/cdk.tf.json", "stacks/second/cdk.tf.json"}


def test_an_unmarked_app_is_prepared_as_cdktf_does(tmp_path):
    assert _synth(tmp_path, "unmarked", "on")["resolved"] == 4


def test_a_reference_into_another_stack_starts_the_synthesis_over_the_ordinary_way(tmp_path):
    skipped, ordinary = _synth(tmp_path, "cross", "on"), _synth(tmp_path, "cross", "off")
    # Written once over its three outputs, then prepared and written as cdktf does (7 with the cross-stack output).
    assert (skipped["resolved"], ordinary["resolved"]) == (3 + 7, 7)
    assert skipped["tree"] == ordinary["tree"]
    first = json.loads(skipped["tree"]["stacks/first/cdk.tf.json"])
    assert any(name.startswith("cross-stack-output-") for name in first["output"]), first["output"]
    assert json.loads(skipped["tree"]["manifest.json"])["stacks"]["second"]["dependencies"] == ["first"]


def test_a_token_with_side_effects_keeps_the_preparing_pass(tmp_path):
    skipped, ordinary = _synth(tmp_path, "lazy", "on"), _synth(tmp_path, "lazy", "off")
    assert skipped["resolved"] == ordinary["resolved"] == 6
    assert skipped["produced"] == ordinary["produced"] == 2, "the producer ran in both passes, as in cdktf's"
    assert skipped["tree"] == ordinary["tree"]


def test_an_app_with_an_aspect_keeps_the_preparing_pass(tmp_path):
    skipped, ordinary = _synth(tmp_path, "aspect", "on"), _synth(tmp_path, "aspect", "off")
    assert skipped["resolved"] == ordinary["resolved"] == 4
    assert skipped["produced"] == ordinary["produced"] == 1, "the aspect visited the stack once"
    assert skipped["tree"] == ordinary["tree"]


def test_a_failing_marked_app_raises_what_cdktf_raises(tmp_path):
    skipped, ordinary = _synth(tmp_path, "failing", "on"), _synth(tmp_path, "failing", "off")
    assert skipped["raised"] == ordinary["raised"]
    assert skipped["raised"].startswith('Encountered Annotations with level "ERROR": | [first] first is broken')
    assert skipped["tree"] == ordinary["tree"] == {}


APP_SOURCE = textwrap.dedent(
    """
    class App {
      constructor() { this.calls = []; this.node = { tryGetContext: () => true }; }
      synth() { this.calls.push("own synth"); }
    }
    exports.App = App;
    """
)


def test_another_cdktf_keeps_its_own_synth(tmp_path):
    write_node_module(tmp_path, "cdktf/lib/app.js", APP_SOURCE)
    script = 'const { App } = require("cdktf/lib/app"); const app = new App(); app.synth(); console.log(app.calls)'
    assert run_preloaded(SKIP_PREPARING_PRELOAD, script, cwd=tmp_path).split() == ["[", "'own", "synth'", "]"]


@pytest.mark.parametrize("without_preparing", [True, False])
def test_the_app_gpulab_synthesizes_is_marked(tmp_path, without_preparing):
    from gpulab.config.loader import load_environments
    from gpulab.synth.app import build_app

    envs = load_environments(REPO / "environments", ["tiny"])
    app = build_app(envs, tmp_path / "out", state_dir=tmp_path, without_preparing=without_preparing)
    assert app.node.try_get_context(CONTEXT_KEY) is (True if without_preparing else None)
