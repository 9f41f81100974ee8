"""An Ansible inventory of a stack's nodes in the form kubespray reads (its inventory/sample hosts.yaml)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def kubespray_inventory(hosts: Mapping[str, tuple[str, str]], *, gpu_nodes: Sequence[str] = ()) -> str:
    """hosts.yaml for kubespray: every node a worker (kube_node); the first CPU node the control plane; etcd
    on the first one or three CPU nodes (an odd count keeps its quorum). `hosts`: name → (the address Ansible
    connects to, the node's private address); values may be Terraform tokens. GPU nodes are also listed in a
    `gpu` group, for the GPU operator's play."""
    names = list(hosts)
    cpu = [name for name in names if name not in gpu_nodes] or names
    etcd = cpu[:3] if len(cpu) >= 3 else cpu[:1]
    lines = ["all:", "  hosts:"]
    for name, (ansible_host, ip) in hosts.items():
        lines += [f"    {name}:", f"      ansible_host: {ansible_host}", f"      ip: {ip}", f"      access_ip: {ip}"]
    lines += ["  children:"]
    for group, members in (("kube_control_plane", cpu[:1]), ("kube_node", names), ("etcd", etcd)):
        lines += [f"    {group}:", "      hosts:", *(f"        {name}:" for name in members)]
    lines += ["    k8s_cluster:", "      children:", "        kube_control_plane:", "        kube_node:"]
    lines += ["    calico_rr:", "      hosts: {}"]
    if gpu_nodes:
        lines += ["    gpu:", "      hosts:", *(f"        {name}:" for name in gpu_nodes)]
    return "\n".join(lines) + "\n"
