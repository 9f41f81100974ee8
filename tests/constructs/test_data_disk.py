"""The data disk's mount helper, run for real with stand-ins for the disk tools: waits, formats only a blank disk.

`blkid`, `mkfs.ext4`, `mount`, `mountpoint` and `sleep` are small scripts on
PATH that record their calls; the disk is a symbolic link that appears when
the test says so. The helper itself is the exact text the boot scripts install.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from gpulab.constructs.data_disk import UNIT_NAME, WAIT_SECONDS, install_lines, mount_helper, mount_unit

STUBS = {
    # blkid -p DEVICE: the exit status the test chose (2: nothing on the disk)
    "blkid": 'echo "blkid $*" >> "$CALLS"; exit "$(cat "$STATE/blkid-status")"',
    "mkfs.ext4": 'echo "mkfs.ext4 $*" >> "$CALLS"',
    "mount": 'echo "mount $*" >> "$CALLS"; touch "$STATE/mounted"',
    "mountpoint": 'test -e "$STATE/mounted"',
    # sleep: attaches the disk on the call the test chose, instead of waiting
    "sleep": 'echo sleep >> "$CALLS"; n=$(grep -c ^sleep "$CALLS"); '
    'if [ -n "${ATTACH_ON:-}" ] && [ "$n" -ge "$ATTACH_ON" ]; then ln -sf "$STATE/nvme1n1" "$LINK"; fi',
}


@pytest.fixture
def machine(tmp_path: Path) -> dict:
    bin_dir, state = tmp_path / "bin", tmp_path / "state"
    bin_dir.mkdir()
    state.mkdir()
    for name, body in STUBS.items():
        stub = bin_dir / name
        stub.write_text(f"#!/bin/bash\n{body}\n")
        stub.chmod(0o755)
    (state / "nvme1n1").write_text("")
    (state / "blkid-status").write_text("2")
    link = tmp_path / "by-id" / "nvme-Amazon_Elastic_Block_Store_vol0123"
    link.parent.mkdir()
    helper = tmp_path / "gpulab-mount-data"
    helper.write_text(mount_helper(mount=str(tmp_path / "data"), links=[str(link)], folders=["runs", "mlruns"]))
    helper.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "STATE": str(state), "LINK": str(link)}
    env["CALLS"] = str(tmp_path / "calls")
    return {"helper": helper, "env": env, "state": state, "link": link, "calls": tmp_path / "calls", "root": tmp_path}


def _run(machine: dict, **env: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    done = subprocess.run(
        [str(machine["helper"])], env={**machine["env"], **env}, capture_output=True, text=True, timeout=30
    )
    calls = machine["calls"].read_text().splitlines() if machine["calls"].exists() else []
    return done, [c for c in calls if c != "sleep"]


def test_a_blank_disk_attached_late_is_waited_for_formatted_and_mounted_with_its_folders(machine):
    done, calls = _run(machine, ATTACH_ON="3")
    device = str(machine["state"] / "nvme1n1")
    assert done.returncode == 0, done.stderr
    assert calls == [
        f"blkid -p {device}",
        f"mkfs.ext4 -q -L gpulab-data {device}",
        f"mount -o defaults,discard {device} {machine['root'] / 'data'}",
    ]
    assert (machine["root"] / "data" / "runs").is_dir() and (machine["root"] / "data" / "mlruns").is_dir()


def test_a_disk_that_holds_a_file_system_is_mounted_never_formatted(machine):
    machine["link"].symlink_to(machine["state"] / "nvme1n1")
    (machine["state"] / "blkid-status").write_text("0")
    done, calls = _run(machine)
    assert done.returncode == 0 and not [c for c in calls if c.startswith("mkfs")]
    assert calls[-1].startswith("mount ")


def test_a_disk_that_cannot_be_read_is_left_alone_and_the_unit_fails(machine):
    machine["link"].symlink_to(machine["state"] / "nvme1n1")
    (machine["state"] / "blkid-status").write_text("4")
    done, calls = _run(machine)
    assert done.returncode == 1 and "not formatting it" in done.stderr
    assert calls == [f"blkid -p {machine['state'] / 'nvme1n1'}"]


def test_at_the_next_boot_a_mounted_disk_is_left_as_it_is(machine):
    machine["link"].symlink_to(machine["state"] / "nvme1n1")
    (machine["state"] / "mounted").write_text("")
    done, calls = _run(machine)
    assert done.returncode == 0 and calls == []


def test_a_disk_that_never_comes_fails_the_run_so_systemd_tries_again(machine):
    done, _ = _run(machine)
    assert done.returncode == 1
    assert f"data disk not attached after {WAIT_SECONDS} s" in done.stderr
    sleeps = machine["calls"].read_text().splitlines().count("sleep")
    assert sleeps == WAIT_SECONDS // 5


def test_the_unit_runs_at_every_boot_and_restarts_until_the_disk_is_mounted():
    unit = mount_unit("/data")
    for line in (
        "Type=oneshot",
        "Restart=on-failure",
        "WantedBy=multi-user.target",
        "ExecStart=/usr/local/sbin/gpulab-mount-data",
    ):
        assert line in unit.splitlines()
    lines = install_lines(mount="/data", links=["/dev/disk/azure/data/by-lun/0"])
    assert f"systemctl enable {UNIT_NAME}" in lines
    assert lines[-1] == f"until systemctl is-active --quiet {UNIT_NAME}; do sleep 5; done", "setup runs after the mount"


def test_the_installing_lines_are_valid_bash_and_write_the_helper_verbatim(tmp_path):
    lines = install_lines(
        mount="/mnt/echoes data", links=["/dev/disk/azure/data/by-lun/0"], folders=["a b"], owner="gpulab"
    )
    script = tmp_path / "install.sh"
    script.write_text("\n".join(lines) + "\n")
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    helper = mount_helper(
        mount="/mnt/echoes data", links=["/dev/disk/azure/data/by-lun/0"], folders=["a b"], owner="gpulab"
    )
    assert "\n".join(lines).count(helper.rstrip("\n")) == 1
    assert "${" not in helper, "plain $NAME shell: the text passes through Terraform strings unchanged"
