"""The first-boot script of a gpulab VM on Azure or Google Cloud: mount the data disk, then run the user's setup.

Rendered in Python so a test can read (and `bash -n`) it. Azure hands it to
cloud-init as custom data, Google Cloud runs it as the startup script.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

# Where Azure's udev rules link LUN 0: NVMe sizes (azure-vm-utils) and SCSI sizes.
AZURE_DATA_DISK_LINKS = ("/dev/disk/azure/data/by-lun/0", "/dev/disk/azure/scsi1/lun0")
DISK_WAIT_SECONDS = 300


def gcp_data_disk_links(device_name: str) -> tuple[str, ...]:
    """Where Google Cloud links an attached disk by its device name."""
    return (f"/dev/disk/by-id/google-{device_name}",)


def boot_script(
    *,
    data_mount: str | None,
    disk_links: Sequence[str] = AZURE_DATA_DISK_LINKS,
    data_folders: Sequence[str] = (),
    owner: str | None = None,
    steps: Sequence[str] = (),
    setup_script: str | None = None,
) -> str:
    """Format the data disk only if it has no file system, mount it by UUID, make its folders, then run setup.

    A data disk that outlived an earlier VM keeps its data: `mkfs` runs only
    when `blkid` finds nothing on the disk. The disk may be attached after
    the VM boots, so the script waits for one of `disk_links` (up to five
    minutes). `owner` gets the mount and its folders (root keeps them when
    None). `steps` are gpulab's own shell lines (an agent install), run
    before the environment's `setup_script`.
    """
    lines = ["#!/bin/bash", "# gpulab first-boot script", "set -euo pipefail"]
    if data_mount:
        mount = shlex.quote(data_mount)
        lines += [
            f"MOUNT={mount}",
            "DEVICE=",
            f"for _ in $(seq {DISK_WAIT_SECONDS // 5}); do",
            f"  for link in {' '.join(disk_links)}; do",
            '    if [ -e "$link" ]; then DEVICE=$(readlink -f "$link"); break 2; fi',
            "  done",
            "  sleep 5",
            "done",
            'if [ -z "$DEVICE" ]; then echo "gpulab: data disk not found" >&2; exit 1; fi',
            'if ! blkid "$DEVICE" >/dev/null; then mkfs.ext4 -q -L gpulab-data "$DEVICE"; fi',
            'UUID=$(blkid -s UUID -o value "$DEVICE")',
            'mkdir -p "$MOUNT"',
            'if ! grep -q "UUID=$UUID" /etc/fstab; then',
            '  echo "UUID=$UUID $MOUNT ext4 defaults,nofail,discard 0 2" >> /etc/fstab',
            "fi",
            'mountpoint -q "$MOUNT" || mount "$MOUNT"',
        ]
        folders = [f'"$MOUNT"/{shlex.quote(folder)}' for folder in data_folders]
        lines += [f"mkdir -p {folder}" for folder in folders]
        if owner:
            lines.append(f'chown {shlex.quote(owner)}: "$MOUNT" {" ".join(folders)}'.rstrip())
    lines += steps
    if setup_script:
        lines += ["# setup_script from the environment file", setup_script.rstrip("\n")]
    return "\n".join(lines) + "\n"


def template_literal(text: str) -> str:
    """`text` as a Terraform string attribute that arrives unchanged: `${` and `%{` escaped."""
    return text.replace("${", "$${").replace("%{", "%%{")
