"""The first-boot script of a gpulab VM on Azure: mount the data disk, then run the user's setup.

Rendered in Python so a test can read (and `bash -n`) it. Azure hands it to
cloud-init as custom data, which runs it once, on the first boot.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

# Where Azure's udev rules link LUN 0: NVMe sizes (azure-vm-utils) and SCSI sizes.
DATA_DISK_LINKS = ("/dev/disk/azure/data/by-lun/0", "/dev/disk/azure/scsi1/lun0")
DISK_WAIT_SECONDS = 300


def boot_script(
    *,
    data_mount: str | None,
    data_folders: Sequence[str] = (),
    owner: str,
    setup_script: str | None = None,
) -> str:
    """Format the data disk only if it has no file system, mount it by UUID, make its folders, then run setup.

    A data disk that outlived an earlier VM keeps its data: `mkfs` runs only
    when `blkid` finds nothing on the disk. The disk is attached after the VM
    is created, so the script waits for it (up to five minutes).
    """
    lines = ["#!/bin/bash", "# gpulab first-boot script", "set -euo pipefail"]
    if data_mount:
        mount = shlex.quote(data_mount)
        links = " ".join(DATA_DISK_LINKS)
        lines += [
            f"MOUNT={mount}",
            "DEVICE=",
            f"for _ in $(seq {DISK_WAIT_SECONDS // 5}); do",
            f"  for link in {links}; do",
            '    if [ -e "$link" ]; then DEVICE=$(readlink -f "$link"); break 2; fi',
            "  done",
            "  sleep 5",
            "done",
            'if [ -z "$DEVICE" ]; then echo "gpulab: data disk (LUN 0) not found" >&2; exit 1; fi',
            'if ! blkid "$DEVICE" >/dev/null; then mkfs.ext4 -q -L gpulab-data "$DEVICE"; fi',
            'UUID=$(blkid -s UUID -o value "$DEVICE")',
            'mkdir -p "$MOUNT"',
            'if ! grep -q "UUID=$UUID" /etc/fstab; then',
            '  echo "UUID=$UUID $MOUNT ext4 defaults,nofail,discard 0 2" >> /etc/fstab',
            "fi",
            'mountpoint -q "$MOUNT" || mount "$MOUNT"',
        ]
        for folder in data_folders:
            lines.append(f'mkdir -p "$MOUNT"/{shlex.quote(folder)}')
        lines.append(
            f'chown {shlex.quote(owner)}: "$MOUNT" ' + " ".join(f'"$MOUNT"/{shlex.quote(f)}' for f in data_folders)
        )
    if setup_script:
        lines += ["# setup_script from the environment file", setup_script.rstrip("\n")]
    return "\n".join(lines) + "\n"
