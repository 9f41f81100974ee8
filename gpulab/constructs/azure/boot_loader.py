"""Azure: a fixed custom data that runs the VM's boot script from its user data, so editing the script keeps the VM.

Azure cannot change a VM's custom data: the provider replaces the VM, and its
OS disk with it, whenever custom data changes (azurerm #7234). User data can
be changed in place, without a stop or a reboot ("User data for Azure Virtual
Machine"), and any process on the VM reads it from the Instance Metadata
Service. So the custom data is the same for every gpulab VM: it installs
`gpulab-boot.service`, which at every boot reads the user data and runs it
when it is new or has changed since it last succeeded. An edit of
`data_folders` or `setup_script` then updates the user data in place and
takes effect at the next boot (or `sudo systemctl restart gpulab-boot`).

The user data starts with a comment line, not `#!`: cloud-init leaves a
payload it does not recognise alone, so the script runs once, by the unit.
"""

from __future__ import annotations

LOADER_PATH = "/usr/local/sbin/gpulab-boot"
UNIT_NAME = "gpulab-boot.service"
STATE_DIR = "/var/lib/gpulab"
# The Instance Metadata Service's user data endpoint (Azure docs, "User data for Azure Virtual Machine").
USER_DATA_URL = "http://169.254.169.254/metadata/instance/compute/userData?api-version=2021-01-01&format=text"
USER_DATA_HEADER = "# gpulab boot script: gpulab-boot.service runs it from the user data at every boot when it changed"


def user_data_script(script: str) -> str:
    """`script` as the VM's user data: a header line cloud-init does not run, then the script."""
    return f"{USER_DATA_HEADER}\n{script}"


def loader() -> str:
    """The script `gpulab-boot.service` runs: fetch the user data, run it if it changed since its last success."""
    return "\n".join(
        [
            "#!/bin/bash",
            f"# gpulab: run this VM's boot script, its user data, when it is new or changed ({UNIT_NAME})",
            "set -uo pipefail",
            f"STATE={STATE_DIR}",
            'mkdir -p "$STATE"',
            "for attempt in $(seq 60); do",
            f'  if curl -sf -H Metadata:true "{USER_DATA_URL}" -o "$STATE/user-data.b64"; then break; fi',
            '  if [ "$attempt" -eq 60 ]; then echo "gpulab: no user data from the metadata service" >&2; exit 1; fi',
            "  sleep 5",
            "done",
            'base64 -d "$STATE/user-data.b64" > "$STATE/boot-script.sh" || exit 1',
            'DIGEST=$(sha256sum < "$STATE/boot-script.sh" | cut -d " " -f 1)',
            'if [ "$(cat "$STATE/boot-script.done" 2>/dev/null)" = "$DIGEST" ]; then exit 0; fi',
            'bash "$STATE/boot-script.sh" || exit 1',
            'echo "$DIGEST" > "$STATE/boot-script.done"',
            "",
        ]
    )


def unit() -> str:
    """The systemd unit that runs the loader at every boot, once the network is up."""
    return "\n".join(
        [
            "[Unit]",
            "Description=gpulab: run the VM's boot script from its user data when it changed",
            "Wants=network-online.target",
            "After=network-online.target",
            "",
            "[Service]",
            "Type=oneshot",
            "RemainAfterExit=yes",
            "TimeoutStartSec=infinity",
            f"ExecStart={LOADER_PATH}",
            "",
            "[Install]",
            "WantedBy=multi-user.target",
            "",
        ]
    )


def custom_data() -> str:
    """The custom data of every gpulab VM on Azure: install the loader and its unit, start it. Never changes."""
    return "\n".join(
        [
            "#!/bin/bash",
            "# gpulab: install gpulab-boot.service, which runs the boot script kept in this VM's user data",
            "set -euo pipefail",
            f"cat > {LOADER_PATH} <<'GPULAB_BOOT'",
            loader().rstrip("\n"),
            "GPULAB_BOOT",
            f"chmod 755 {LOADER_PATH}",
            f"cat > /etc/systemd/system/{UNIT_NAME} <<'GPULAB_BOOT_UNIT'",
            unit().rstrip("\n"),
            "GPULAB_BOOT_UNIT",
            "systemctl daemon-reload",
            f"systemctl enable {UNIT_NAME}",
            f"systemctl start --no-block {UNIT_NAME}",
            "",
        ]
    )
