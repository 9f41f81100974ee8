"""Bad OpenStack (Chameleon) input: one clear line per problem, naming the field and what to do, exit code 2."""

from __future__ import annotations

import pytest

from gpulab.cli import run
from tests.conftest import ENV_DIR

SHIPPED = (ENV_DIR / "chameleon.yaml").read_text()
RESERVATION = (
    "    reservation: 00000000-0000-4000-8000-000000000002   # replace: `openstack reservation lease show <lease>`\n"
)
LEASE = (
    "openstack reservation lease create --reservation min=1,max=1,resource_type=physical:host,"
    'resource_properties=\'["=", "$node_type", "gpu_rtx_6000"]\' --start-date now --end-date <end> <lease name>'
)

CASES = {
    "bare metal without a lease": (
        (RESERVATION, ""),
        "machines[1].reservation: gpu_rtx_6000 is bare metal at CHI@UC: reserve nodes with a lease first "
        f"({LEASE}) and give its reservation id here",
    ),
    "an unknown site": (
        ("    site: CHI@UC\n", "    site: CHI@UCX\n"),
        "machines[1].site: unknown site 'CHI@UCX' (did you mean 'CHI@UC'?)",
    ),
    "a flavor the site does not offer": (
        ("    machine_type: m1.large\n", "    machine_type: m1.large\n    site: CHI@UC\n"),
        "machines[0].machine_type: m1.large is not offered at CHI@UC (it is at KVM@TACC; set site:)",
        "openstack.volumes[0].site: KVM@TACC, but node-0 runs at CHI@UC (a volume attaches at its own site)",
    ),
    "a reservation on a KVM flavor": (
        (
            "    machine_type: m1.large\n",
            "    machine_type: m1.large\n    reservation: 00000000-0000-4000-8000-000000000009\n",
        ),
        "machines[0].reservation: is not used for m1.large, a KVM flavor (remove it)",
    ),
    "a site without its clouds.yaml entry": (
        ("    CHI@UC: chameleon-chi-uc\n", ""),
        "openstack.sites: CHI@UC is used but has no clouds.yaml entry (add 'CHI@UC': <the entry's name>; "
        "download it from the site's dashboard: Identity, Application Credentials)",
    ),
    "a volume on a node that does not exist": (
        ("attach_to: node-0", "attach_to: node-7"),
        "openstack.volumes[0].attach_to: no machine 'node-7' (did you mean 'node-0'?)",
    ),
    "a bad CIDR": (
        ("  cidr: 192.168.1.0/24", "  cidr: 192.168.1.0/33"),
        "network.cidr: 192.168.1.0/33 is not a valid CIDR (write an IPv4 block such as 10.0.1.0/24)",
    ),
    "SSH open to the world": (
        ("admin_cidrs: [203.0.113.0/24]", "admin_cidrs: [0.0.0.0/0]"),
        "openstack.admin_cidrs[0]: 0.0.0.0/0 opens SSH to the whole internet (list your office or VPN range)",
    ),
    "a field OpenStack has no use for": (
        ("    count: 3\n", "    count: 3\n    spot: true\n"),
        "machines[0].spot: is not used on OpenStack (Chameleon has no spot capacity)",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_openstack_input_is_one_clear_line(case, tmp_path, capsys):
    (old, new), *expected = CASES[case]
    assert old in SHIPPED
    env_dir = tmp_path / "environments"
    env_dir.mkdir()
    (env_dir / "chameleon.yaml").write_text(SHIPPED.replace(old, new))
    assert run(["validate", "--env-dir", str(env_dir)]) == 2
    assert capsys.readouterr().err.splitlines() == [f"{env_dir}/chameleon.yaml: {line}" for line in expected]


def test_openstack_fields_on_another_cloud_are_named(tmp_path, capsys):
    env_dir = tmp_path / "environments"
    env_dir.mkdir()
    dev = (ENV_DIR / "dev.yaml").read_text()
    (env_dir / "dev.yaml").write_text(dev.replace("  - name: trainer\n", "  - name: trainer\n    site: KVM@TACC\n", 1))
    assert run(["validate", "--env-dir", str(env_dir)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{env_dir}/dev.yaml: machines[0].site: is not used on AWS (it is used on openstack only)"
    ]
