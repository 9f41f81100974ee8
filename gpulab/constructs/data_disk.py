"""Mounting a machine's data disk at every boot, on every cloud: a helper script and the systemd unit that runs it.

The data disk is a resource of its own, attached after the machine is
created, so it can appear after boot has begun; a first-boot script that
waits once would leave it unmounted for good. Instead the boot script
installs `gpulab-data.service`, which runs at every boot: it waits for the
disk by its stable link (Azure: its LUN; AWS: the NVMe serial, which is the
EBS volume id; Google Cloud: its device name), formats it only if it holds
nothing at all, mounts it and makes its folders. If the disk is still missing
after a while the unit fails and systemd tries again, for as long as it takes.

The helper is written in plain `$NAME` shell (no `${…}`), so the same text
passes through Terraform strings on every cloud unchanged.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

HELPER_PATH = "/usr/local/sbin/gpulab-mount-data"
UNIT_NAME = "gpulab-data.service"
UNIT_PATH = f"/etc/systemd/system/{UNIT_NAME}"
# How long one run of the helper waits for the disk before the unit fails and restarts.
WAIT_SECONDS = 600
RESTART_SECONDS = 30
FILE_SYSTEM_LABEL = "gpulab-data"


def mount_helper(*, mount: str, links: Sequence[str], folders: Sequence[str] = (), owner: str | None = None) -> str:
    """The script `gpulab-data.service` runs: wait for the disk, format it only if blank, mount it, make folders.

    `blkid -p` exits 2 when it finds nothing on the device (a blank disk);
    any other failure to read the disk stops the helper instead of
    formatting, so a disk that outlived an earlier machine keeps its data.
    """
    quoted_folders = [f'"$MOUNT"/{shlex.quote(folder)}' for folder in folders]
    lines = [
        "#!/bin/bash",
        f"# gpulab: mount the data disk at every boot ({UNIT_NAME})",
        "set -uo pipefail",
        f"MOUNT={shlex.quote(mount)}",
        f"LINKS={shlex.quote(' '.join(links))}",
        'DEVICE=""',
        "WAITED=0",
        'while [ -z "$DEVICE" ]; do',
        "  for link in $LINKS; do",
        '    if [ -e "$link" ]; then DEVICE=$(readlink -f "$link"); break; fi',
        "  done",
        '  if [ -z "$DEVICE" ]; then',
        f'    if [ "$WAITED" -ge {WAIT_SECONDS} ]; then',
        f'      echo "gpulab: data disk not attached after {WAIT_SECONDS} s ($LINKS); trying again" >&2',
        "      exit 1",
        "    fi",
        "    sleep 5",
        "    WAITED=$((WAITED + 5))",
        "  fi",
        "done",
        'if mountpoint -q "$MOUNT"; then exit 0; fi',
        'blkid -p "$DEVICE" >/dev/null 2>&1',
        "PROBE=$?",
        'if [ "$PROBE" -eq 2 ]; then',
        f'  mkfs.ext4 -q -L {FILE_SYSTEM_LABEL} "$DEVICE" || exit 1',
        'elif [ "$PROBE" -ne 0 ]; then',
        '  echo "gpulab: cannot read $DEVICE (blkid exit $PROBE); not formatting it" >&2',
        "  exit 1",
        "fi",
        'mkdir -p "$MOUNT"',
        'mount -o defaults,discard "$DEVICE" "$MOUNT" || exit 1',
    ]
    lines += [f"mkdir -p {folder}" for folder in quoted_folders]
    if owner:
        lines.append(f'chown {shlex.quote(owner)}: "$MOUNT" {" ".join(quoted_folders)}'.rstrip())
    return "\n".join(lines) + "\n"


def mount_unit(mount: str) -> str:
    """The systemd unit that runs the helper at every boot, and again after a failure."""
    return "\n".join(
        [
            "[Unit]",
            f"Description=gpulab: mount the data disk at {mount}",
            "After=local-fs.target",
            "",
            "[Service]",
            "Type=oneshot",
            "RemainAfterExit=yes",
            f"ExecStart={HELPER_PATH}",
            "Restart=on-failure",
            f"RestartSec={RESTART_SECONDS}",
            "",
            "[Install]",
            "WantedBy=multi-user.target",
            "",
        ]
    )


def install_lines(
    *, mount: str, links: Sequence[str], folders: Sequence[str] = (), owner: str | None = None
) -> list[str]:
    """Boot-script lines that install and enable the unit, then wait until the disk is mounted.

    The wait lets the setup steps that follow use the disk; it ends when the
    unit succeeds, however many restarts that takes. Safe to run again.
    """
    helper = mount_helper(mount=mount, links=links, folders=folders, owner=owner)
    return [
        "# The data disk: mounted by a unit that runs at every boot and waits for the disk to be attached",
        f"cat > {HELPER_PATH} <<'GPULAB_MOUNT_DATA'",
        helper.rstrip("\n"),
        "GPULAB_MOUNT_DATA",
        f"chmod 755 {HELPER_PATH}",
        f"cat > {UNIT_PATH} <<'GPULAB_DATA_UNIT'",
        mount_unit(mount).rstrip("\n"),
        "GPULAB_DATA_UNIT",
        "systemctl daemon-reload",
        f"systemctl enable {UNIT_NAME}",
        f"systemctl start --no-block {UNIT_NAME}",
        f"until systemctl is-active --quiet {UNIT_NAME}; do sleep 5; done",
    ]
