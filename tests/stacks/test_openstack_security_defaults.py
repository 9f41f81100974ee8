"""Security-critical defaults and seed 002's shape in the shipped OpenStack stack (chameleon), asserted one by one.

checkov has four OpenStack checks (hard-coded credentials, basic credentials, SSH or RDP open to the world);
tests/test_security_scan.py runs them. These assert what they cannot see.
"""

import json
import subprocess
import sys

from tests.conftest import REPO, resources

STACK = "chameleon"


def _by_provider(stack, kind, provider):
    return {k: v for k, v in resources(stack, kind).items() if v["provider"] == f"openstack.{provider}"}


def test_each_site_has_its_own_provider_signed_in_from_clouds_yaml_never_a_secret(stacks):
    providers = stacks[STACK]["provider"]["openstack"]
    assert providers == [
        {"alias": "kvm_tacc", "cloud": "chameleon-kvm-tacc", "region": "KVM@TACC"},
        {"alias": "chi_uc", "cloud": "chameleon-chi-uc", "region": "CHI@UC"},
    ]
    assert stacks[STACK]["terraform"]["required_providers"]["openstack"]["version"].startswith("3.")


def test_three_cpu_nodes_at_kvm_tacc_on_a_private_network_routed_to_public(stacks):
    stack = stacks[STACK]
    nodes = _by_provider(stack, "openstack_compute_instance_v2", "kvm_tacc")
    assert sorted(n["name"] for n in nodes.values()) == [f"continuousx-chameleon-node-{i}" for i in range(3)]
    (network_key,) = _by_provider(stack, "openstack_networking_network_v2", "kvm_tacc")
    (subnet_key,) = _by_provider(stack, "openstack_networking_subnet_v2", "kvm_tacc")
    (interface_key,) = _by_provider(stack, "openstack_networking_router_interface_v2", "kvm_tacc")
    for node in nodes.values():
        assert node["flavor_name"] == "m1.large" and "scheduler_hints" not in node
        # Nova refuses a network without a subnet ("requires a subnet in order to boot instances on"): wait for it
        assert node["depends_on"] == [
            f"openstack_networking_subnet_v2.{subnet_key}",
            f"openstack_networking_router_interface_v2.{interface_key}",
        ]
        assert node["network"] == [{"name": f"${{openstack_networking_network_v2.{network_key}.name}}"}]
    (subnet,) = _by_provider(stack, "openstack_networking_subnet_v2", "kvm_tacc").values()
    assert subnet["cidr"] == "192.168.1.0/24"
    (router,) = _by_provider(stack, "openstack_networking_router_v2", "kvm_tacc").values()
    (external,) = stack["data"]["openstack_networking_network_v2"].values()
    assert external["name"] == "public" and router["external_network_id"].endswith(".id}")


def test_the_gpu_node_is_bare_metal_at_chi_uc_held_by_its_lease(stacks):
    """Chameleon bare metal boots with the baremetal flavor and the lease's reservation as a scheduler hint, on
    the site's shared network (Chameleon's "Using Terraform with Chameleon")."""
    (gpu,) = _by_provider(stacks[STACK], "openstack_compute_instance_v2", "chi_uc").values()
    assert gpu["flavor_name"] == "baremetal"
    assert gpu["scheduler_hints"] == [
        {"additional_properties": {"reservation": "00000000-0000-4000-8000-000000000002"}}
    ]
    assert gpu["network"] == [{"name": "sharednet1"}]
    assert gpu["image_name"] == "CC-Ubuntu22.04-CUDA"


def test_ssh_is_admitted_from_the_listed_range_and_the_other_sites_nodes_only(stacks):
    rules = resources(stacks[STACK], "openstack_networking_secgroup_rule_v2").values()
    ssh = [r for r in rules if r.get("port_range_min") == 22]
    assert all(r["port_range_max"] == 22 and r["protocol"] == "tcp" for r in ssh)
    sources = sorted(r["remote_ip_prefix"] for r in ssh)
    assert "203.0.113.0/24" in sources and "0.0.0.0/0" not in sources
    others = [s for s in sources if s != "203.0.113.0/24"]
    assert len(others) == 4 and all(
        s.startswith("${openstack_networking_floatingip_v2.") and s.endswith("/32") for s in others
    )
    within = [r for r in rules if "port_range_min" not in r]
    assert {r["protocol"] for r in within} == {"tcp", "udp", "icmp"}
    assert all(r["remote_group_id"] == r["security_group_id"] for r in within), "only members of the group"
    assert all(r["direction"] == "ingress" and "remote_ip_prefix" not in r for r in within)


def test_the_50_gb_volume_is_attached_to_the_first_node_at_kvm_tacc(stacks):
    stack = stacks[STACK]
    (volume_key, volume), *_ = resources(stack, "openstack_blockstorage_volume_v3").items()
    assert volume["size"] == 50 and volume["provider"] == "openstack.kvm_tacc"
    (attachment,) = resources(stack, "openstack_compute_volume_attach_v2").values()
    assert attachment["volume_id"] == f"${{openstack_blockstorage_volume_v3.{volume_key}.id}}"
    assert attachment["instance_id"].startswith("${openstack_compute_instance_v2.node-0_instance")


def test_containers_at_chi_uc_are_private_versioned_and_never_emptied_by_a_destroy(stacks):
    containers = resources(stacks[STACK], "openstack_objectstorage_container_v1").values()
    assert sorted(c["name"] for c in containers) == ["continuousx-chameleon-backups", "continuousx-chameleon-papers"]
    for container in containers:
        assert container["provider"] == "openstack.chi_uc"
        assert "container_read" not in container and "container_write" not in container  # no ACL: no public read
        assert container["versioning"] is True and container["force_destroy"] is False


def test_the_outputs_hold_kubesprays_inventory_and_the_gpu_nodes_address(stacks):
    outputs = stacks[STACK]["output"]
    assert outputs["gpu-0-public-ip"]["value"].startswith("${openstack_networking_floatingip_v2.gpu-0_floating-ip")
    inventory = outputs["ansible-inventory"]["value"]
    for group in ("kube_control_plane:", "kube_node:", "etcd:", "k8s_cluster:", "gpu:"):
        assert f"    {group}" in inventory
    assert "    node-0:\n      ansible_host: ${openstack_networking_floatingip_v2.node-0" in inventory


def test_an_openstack_only_synth_loads_no_other_clouds_bindings(tmp_path):
    script = (
        "import sys\nfrom gpulab.cli import run\n"
        f"code = run(['synth', '--out', {str(tmp_path / 'out')!r}, 'chameleon'])\n"
        "print(code, sorted({m.split('.')[0] for m in sys.modules if m.startswith('cdktf_cdktf_provider_')}))"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "0 ['cdktf_cdktf_provider_openstack']"
    assert json.loads((tmp_path / "out" / "stacks" / "chameleon" / "cdk.tf.json").read_text())["provider"]
