"""The boot script of a gpulab VM on Azure or Google Cloud: mount the data disk, then run the user's setup.

Rendered in Python so a test can read (and `bash -n`) it. Azure hands it to
cloud-init as custom data, Google Cloud runs it as the startup script.
"""

from __future__ import annotations

from collections.abc import Sequence

from gpulab.constructs.data_disk import install_lines

# Where Azure's udev rules link LUN 0: NVMe sizes (azure-vm-utils) and SCSI sizes.
AZURE_DATA_DISK_LINKS = ("/dev/disk/azure/data/by-lun/0", "/dev/disk/azure/scsi1/lun0")


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
    """Install the data disk's mount unit and wait for the disk, then run gpulab's steps and the setup script.

    The unit (data_disk.py) mounts the disk found at one of `disk_links` at
    every boot, formatting it only when it holds nothing, so a data disk that
    outlived an earlier VM keeps its data. `owner` gets the mount and its
    `data_folders` (root keeps them when None). `steps` are gpulab's own shell
    lines (an agent install), run before the environment's `setup_script`.
    """
    lines = ["#!/bin/bash", "# gpulab boot script", "set -euo pipefail"]
    if data_mount:
        lines += install_lines(mount=data_mount, links=disk_links, folders=data_folders, owner=owner)
    lines += steps
    if setup_script:
        lines += ["# setup_script from the environment file", setup_script.rstrip("\n")]
    return "\n".join(lines) + "\n"


def template_literal(text: str) -> str:
    """`text` as a Terraform string attribute that arrives unchanged: `${` and `%{` escaped."""
    return text.replace("${", "$${").replace("%{", "%%{")
