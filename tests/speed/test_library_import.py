"""As a library, gpulab changes nothing in the user's process; its opt-in changes nothing but speed.

Each probe is a small program run in a fresh Python: once as plain cdktf,
once with gpulab imported (or opted in), and their observable behaviour is
compared: the environment, errors and where they are raised, token texts,
attribute access on provider packages, annotations.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import REPO

# What a program can observe of the process and of cdktf; printed as one JSON line.
OBSERVE = textwrap.dedent(
    """
    import importlib.metadata, inspect, json, os, sys, traceback
    before = dict(os.environ)
    {prelude}
    import cdktf
    app = cdktf.App(outdir=sys.argv[1])
    stack = cdktf.TerraformStack(app, "probe")
    variable = cdktf.TerraformVariable(stack, "v", type="string")
    seen = {{"token": variable.string_value}}
    cdktf.TerraformOutput(stack, "same", value="1")
    try:
        cdktf.TerraformOutput(stack, "same", value="2")
        seen["duplicate"] = "not raised"
    except RuntimeError as error:
        seen["duplicate"] = [str(error), traceback.extract_tb(error.__traceback__)[0].lineno]
    app.synth()
    seen["environ unchanged"] = dict(os.environ) == before
    seen["metadata.version"] = importlib.metadata.version.__module__
    seen["mock"] = "unittest.mock" in sys.modules and type(sys.modules["unittest.mock"]).__name__
    seen["jsii kernel class"] = __import__("jsii._kernel.providers.process", fromlist=["_"])._NodeProcess.__module__
    seen["annotation"] = str(inspect.signature(cdktf.TerraformOutput.__init__).parameters["value"].annotation)
    print(json.dumps(seen, sort_keys=True))
    """
)


def _observe(tmp_path: Path, prelude: str, env: dict | None = None) -> dict:
    out = tmp_path / f"out-{abs(hash(prelude))}"
    code = OBSERVE.format(prelude=prelude)
    run = subprocess.run(
        [sys.executable, "-c", code, str(out)],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.splitlines()[-1])


def test_importing_gpulab_and_its_constructs_packages_changes_nothing_a_cdktf_program_observes(tmp_path):
    plain = _observe(tmp_path, "")
    with_gpulab = _observe(tmp_path, "import gpulab, gpulab.constructs, gpulab.config, gpulab.rules.names")
    assert with_gpulab == plain
    assert plain["environ unchanged"] is True and plain["duplicate"][0].startswith("There is already a Construct")
    assert plain["token"].startswith("${TfToken[TOKEN.")


def test_the_library_opt_in_changes_nothing_observable_but_speed(tmp_path):
    plain = _observe(tmp_path, "")
    opted_in = _observe(tmp_path, "import gpulab; gpulab.enable_fast_loading()")
    # The one thing the opt-in replaces: how jsii starts its kernel, so that the preloads reach that kernel's
    # environment and no other process's.
    assert opted_in.pop("jsii kernel class") == "gpulab.speed.kernel"
    plain.pop("jsii kernel class")
    assert opted_in == plain, "same errors at the same lines, same token texts, NODE_OPTIONS untouched"


PROVIDER_ATTRIBUTE = textwrap.dedent(
    """
    import gpulab; gpulab.enable_fast_loading()
    import os, sys, cdktf
    import cdktf_cdktf_provider_aws as aws
    print(aws.lambda_function.LambdaFunction.__name__)
    print(type(aws.vpc).__name__, os.environ.get("NODE_OPTIONS", ""))
    try:
        aws.no_such_module
    except AttributeError as error:
        print("AttributeError", error)
    app = cdktf.App(outdir=sys.argv[1])
    stack = cdktf.TerraformStack(app, "probe")
    aws.provider.AwsProvider(stack, "aws", region="eu-west-1")
    aws.vpc.Vpc(stack, "vpc", cidr_block="10.0.0.0/16")
    app.synth()
    print(gpulab.__file__)
    """
)


def test_opted_in_provider_packages_answer_attribute_access_and_the_kernel_starts_from_a_folder_with_a_space(
    tmp_path,
):
    """The preloads go into the kernel's own environment only, their paths quoted: gpulab installed under a
    folder whose name holds a space still starts its kernel, and every other Node.js the program starts is
    untouched."""
    spaced = tmp_path / "my projects" / "site packages"
    shutil.copytree(REPO / "gpulab", spaced / "gpulab", ignore=shutil.ignore_patterns("__pycache__"))
    run = subprocess.run(
        [sys.executable, "-c", PROVIDER_ATTRIBUTE, str(tmp_path / "out")],
        env={**os.environ, "PYTHONPATH": str(spaced), "NODE_OPTIONS": "--no-warnings"},
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "LambdaFunction"
    assert lines[1] == "module --no-warnings", "this process's NODE_OPTIONS stays the user's"
    assert lines[2] == "AttributeError module 'cdktf_cdktf_provider_aws' has no attribute 'no_such_module'"
    assert lines[3] == str(spaced / "gpulab" / "__init__.py"), "the copy under the spaced folder ran"
    stack = json.loads((tmp_path / "out" / "stacks" / "probe" / "cdk.tf.json").read_text())
    assert list(stack["resource"]["aws_vpc"].values())[0]["cidr_block"] == "10.0.0.0/16"


def test_an_error_answered_for_a_request_sent_ahead_fails_the_exit_with_its_message(tmp_path):
    """With the command line's full set, creates are sent ahead (async creates): a duplicate id the program
    never waits for is still reported when it exits, and the exit status is 1, not 0."""
    code = textwrap.dedent(
        """
        from gpulab.speed.fast_import import enable_fast_provider_loading
        enable_fast_provider_loading()
        import sys, cdktf
        app = cdktf.App(outdir=sys.argv[1])
        stack = cdktf.TerraformStack(app, "s")
        cdktf.TerraformOutput(stack, "x", value="1")
        cdktf.TerraformOutput(stack, "x", value="2")
        print("the program ended")
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "out")], capture_output=True, text=True, timeout=120
    )
    assert run.stdout == "the program ended\n"
    assert run.returncode == 1
    assert "RuntimeError: There is already a Construct with name 'x' in TerraformStack [s]" in run.stderr
