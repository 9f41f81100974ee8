"""How much a machine's boot script may hold on each cloud, shared by the checks and the constructs.

Each cloud caps the script it hands a machine at boot. gpulab adds its own
lines (mounting the data disk, the monitoring agent) to the environment's
`setup_script`; BOOT_LINES_RESERVE is kept for them, so a `setup_script`
that validation accepts always fits once rendered, and the constructs check
the rendered script itself against the cloud's cap.
"""

from __future__ import annotations

# EC2 user data: 16 KB in raw form, before base64 (EC2 User Guide, "Run commands when you launch an instance").
# Azure user data (which carries gpulab's boot script, see constructs/azure/boot_loader.py): at most 64 KB,
# base64-encoded ("User data for Azure Virtual Machine"), so 49,152 bytes before encoding.
# Compute Engine metadata: 256 KB for one value (Compute Engine docs, "About VM metadata", limits).
# Nova user data: at most 65,535 bytes base64-encoded (Compute API reference, "Create server": user_data),
# so 49,151 bytes before encoding.
BOOT_SCRIPT_BYTES = {"aws": 16 * 1024, "azure": 64 * 1024 * 3 // 4, "gcp": 256 * 1024, "openstack": 65535 * 3 // 4}
WHAT_CARRIES_IT = {
    "aws": "EC2 user data",
    "azure": "Azure user data",
    "gcp": "a Compute Engine metadata value",
    "openstack": "Nova user data",
}
# gpulab's own boot lines take about 11 KB on AWS (the data disk's mount unit, the CloudWatch agent's
# configuration, the idle watchdog and the run agent, their programs compressed, with the longest names an
# environment allows; tests/constructs/aws pins it), less on Azure and Google Cloud.
BOOT_LINES_RESERVE = 12 * 1024


def max_setup_script_bytes(cloud: str) -> int:
    """The longest `setup_script` (UTF-8 bytes) a machine on `cloud` may have."""
    return BOOT_SCRIPT_BYTES[cloud] - BOOT_LINES_RESERVE


def setup_script_problem(cloud: str, script: str) -> str | None:
    """Why `script` is too long as a `setup_script` on `cloud`, or None."""
    size, most = len(script.encode("utf-8")), max_setup_script_bytes(cloud)
    if size <= most:
        return None
    return (
        f"is {size:,} bytes; with gpulab's own boot lines it must fit in {WHAT_CARRIES_IT[cloud]} "
        f"(at most {most:,} bytes here; keep the script in a bucket and fetch it)"
    )


def check_rendered_script(cloud: str, script: str, argument: str = "setup_script") -> None:
    """Raise ValueError naming `argument` when a rendered boot script is over `cloud`'s cap."""
    size, most = len(script.encode("utf-8")), BOOT_SCRIPT_BYTES[cloud]
    if size > most:
        raise ValueError(
            f"{argument}: the boot script is {size:,} bytes once rendered; {WHAT_CARRIES_IT[cloud]} "
            f"takes at most {most:,} (shorten {argument})"
        )
