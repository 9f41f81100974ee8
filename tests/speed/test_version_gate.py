"""The command line's whole speed layer runs only on the versions it was tested with; others get the safe part."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

from gpulab.speed import version_gate
from tests.conftest import REPO


def test_the_gate_names_the_versions_the_requirements_files_pin():
    """The gate and the pins cannot drift apart: an upgrade of one without the other fails here."""
    pins = dict(
        re.match(r"^([A-Za-z0-9_.-]+)==(\S+)$", line).groups()
        for name in ("requirements.txt", "requirements-openstack.txt")
        for line in (REPO / name).read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    assert {package: pins[package] for package in version_gate.TESTED} == version_gate.TESTED
    assert {package: int(pins[package].split(".")[0]) for package in version_gate.TESTED_MAJORS} == (
        version_gate.TESTED_MAJORS
    )
    assert version_gate.untested_versions() == [], "this checkout runs what it was tested with"


def test_an_untested_version_is_named(monkeypatch):
    monkeypatch.setitem(version_gate.TESTED, "jsii", "1.0.0")
    monkeypatch.setitem(version_gate.TESTED_MAJORS, "cdktf-cdktf-provider-aws", 99)
    found = version_gate.untested_versions()
    assert found[0].startswith("jsii 1.") and found[0].endswith("(tested: 1.0.0)")
    assert found[1].startswith("cdktf-cdktf-provider-aws 21.") and found[1].endswith("(tested: 99.x)")


# main.py as cdktf runs it, with the gate told that jsii was tested at another version.
UNTESTED_JSII = textwrap.dedent(
    """
    import sys
    import gpulab.speed.version_gate as gate
    gate.TESTED["jsii"] = "0.0.1"
    from gpulab.cli import entry_point
    sys.argv = ["main.py", "synth", "tiny", "--out", sys.argv[1]]
    code = entry_point()
    from gpulab.speed import kernel
    print("direct kernel:", kernel._direct_allowed)
    sys.exit(code)
    """
)


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_on_an_untested_version_the_command_says_so_in_one_line_and_writes_the_same_stack(tmp_path):
    both = {}
    for side, code in (("tested", None), ("untested", UNTESTED_JSII)):
        out = tmp_path / side
        command = [sys.executable, "main.py", "synth", "tiny", "--out", str(out)]
        if code:
            command = [sys.executable, "-c", code, str(out)]
        run = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=180)
        assert run.returncode == 0, run.stderr
        both[side] = (run, _tree(out))
    (tested, tested_tree), (untested, untested_tree) = both["tested"], both["untested"]
    assert "speed layer" not in tested.stderr
    notes = [line for line in untested.stderr.splitlines() if line.startswith("gpulab: ")]
    assert notes == [
        "gpulab: speed layer limited to its safe part: jsii 1.142.0 (tested: 0.0.1); synthesis is slower, "
        "output the same"
    ]
    assert untested.stdout.endswith("direct kernel: False\n"), "jsii's own kernel start-up, no relay removed"
    tested_tree.pop("manifest.json"), untested_tree.pop("manifest.json")
    assert [t.replace(str(tmp_path / "tested"), "") for t in tested_tree.values()] == [
        t.replace(str(tmp_path / "untested"), "") for t in untested_tree.values()
    ]
