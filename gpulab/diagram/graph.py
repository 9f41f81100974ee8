"""A cloud-neutral graph of a synthesized stack: networks, subnets, machines (with their GPUs), buckets,
identities, the address ranges admitted inbound, and who may read and write which bucket.

It is read from the Terraform JSON, not from the environment file, so it shows what will be built. Resources
are linked by the `${type.name.attribute}` references Terraform itself follows.
"""

from __future__ import annotations

import json
import re
from collections import deque
from dataclasses import dataclass, field

from gpulab.config.catalog import for_cloud

REFERENCE = re.compile(r"\$\{(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)[.}\[]")
NETWORKS = {"aws_vpc", "azurerm_virtual_network", "google_compute_network", "openstack_networking_network_v2"}
SUBNETS = {"aws_subnet", "azurerm_subnet", "google_compute_subnetwork", "openstack_networking_subnet_v2"}
MACHINES = {
    "aws_instance": "aws",
    "azurerm_linux_virtual_machine": "azure",
    "google_compute_instance": "gcp",
    "openstack_compute_instance_v2": "openstack",
}
BUCKETS = {
    "aws_s3_bucket",
    "azurerm_storage_container",
    "google_storage_bucket",
    "openstack_objectstorage_container_v1",
}
IDENTITIES = {"aws_iam_role", "google_service_account"}
GRANTS = {"aws_iam_role_policy", "azurerm_role_assignment", "google_storage_bucket_iam_member"}
# What an inbound rule applies to: a security group, a network security group, or (GCP) the service account a
# firewall rule targets.
GROUPS = {
    "aws_security_group",
    "azurerm_network_security_group",
    "openstack_networking_secgroup_v2",
    "google_service_account",
}


@dataclass(frozen=True)
class Node:
    key: str  # the Terraform address, or `cidr:<range>` for an address range
    kind: str  # network, subnet, machine, bucket, identity, source
    label: str
    parent: str | None = None  # the subnet or network a machine (or subnet) sits in


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: set[tuple[str, str, str]] = field(default_factory=set)  # (from, to, label)

    def of_kind(self, kind: str) -> list[Node]:
        return sorted((n for n in self.nodes.values() if n.kind == kind), key=lambda n: n.key)


def stack_graph(stack: dict) -> Graph:
    """The graph of one synthesized stack (a parsed cdk.tf.json)."""
    bodies = {
        f"{kind}.{name}": body for kind, items in stack.get("resource", {}).items() for name, body in items.items()
    }
    data = {
        f"data.{kind}.{name}": body for kind, items in stack.get("data", {}).items() for name, body in items.items()
    }
    refs = {address: _references(body) for address, body in (bodies | data).items()}
    graph = Graph()
    for address, body in sorted(bodies.items()):
        kind = _type(address)
        if kind in NETWORKS:
            cidr = body.get("cidr_block") or body.get("address_space")
            graph.nodes[address] = Node(address, "network", _label(body, "name", tag=True, extra=cidr))
    for address, body in sorted(bodies.items()):
        kind = _type(address)
        if kind in SUBNETS:
            network = _nearest(address, refs, NETWORKS)
            cidr = (
                body.get("cidr_block") or body.get("ip_cidr_range") or body.get("cidr") or body.get("address_prefixes")
            )
            graph.nodes[address] = Node(address, "subnet", _label(body, "name", tag=True, extra=cidr), network)
        elif kind in BUCKETS:
            graph.nodes[address] = Node(address, "bucket", _label(body, "bucket", "name"))
    for address, body in sorted(bodies.items()):
        kind = _type(address)
        if kind not in MACHINES:
            continue
        place = _nearest(address, refs, SUBNETS) or _nearest(address, refs, NETWORKS)
        if place is None:
            shared = next((n.get("name") for n in body.get("network", []) if isinstance(n, dict)), None)
            if shared:
                place = f"shared:{shared}"
                graph.nodes.setdefault(place, Node(place, "network", f"{shared} (the site's shared network)"))
        graph.nodes[address] = Node(address, "machine", _machine_label(MACHINES[kind], body), place)
        identity = _nearest(address, refs, IDENTITIES, depth=2)
        if identity:
            graph.nodes.setdefault(identity, Node(identity, "identity", _label(bodies[identity], "name", "account_id")))
            graph.edges.add((address, identity, "acts as"))
    _grants(graph, bodies, refs)
    _ingress(graph, bodies, refs)
    return graph


def _grants(graph: Graph, bodies: dict, refs: dict) -> None:
    """principal → bucket for every grant that names both (an IAM policy, a role assignment, a bucket binding)."""
    principals = {n.key for n in graph.nodes.values() if n.kind in ("identity", "machine")}
    for address in bodies:
        if _type(address) not in GRANTS:
            continue
        reached = _closure(address, refs, depth=2, through_data_only=True)
        who = sorted(reached & principals)
        for bucket in sorted(reached & {n.key for n in graph.of_kind("bucket")}):
            for principal in who:
                graph.edges.add((principal, bucket, "reads, writes"))


def _ingress(graph: Graph, bodies: dict, refs: dict) -> None:
    """address range → machine, labelled with ports, for every rule that admits a range inbound."""
    groups_of = _groups_of_machines(graph, bodies, refs)
    for address, body in sorted(bodies.items()):
        found = _inbound(_type(address), body)
        if found is None:
            continue
        ranges, ports = found
        group = _nearest(address, refs, GROUPS, depth=1)
        targets = [machine for machine, groups in groups_of.items() if group and group in groups]
        for cidr in ranges:
            source = f"cidr:{cidr}"
            label = _range_label(cidr)
            graph.nodes.setdefault(source, Node(source, "source", label))
            for machine in targets:
                graph.edges.add((source, machine, ports))


def _inbound(kind: str, body: dict) -> tuple[list[str], str] | None:
    """(ranges, ports) a rule admits inbound, or None for anything else."""
    if kind == "aws_vpc_security_group_ingress_rule" and body.get("cidr_ipv4"):
        return [body["cidr_ipv4"]], _ports(body.get("from_port"), body.get("to_port"))
    if kind == "azurerm_network_security_rule" and body.get("direction") == "Inbound" and body.get("access") == "Allow":
        sources = body.get("source_address_prefixes") or [body.get("source_address_prefix")]
        sources = [s for s in sources if s and s not in ("VirtualNetwork", "AzureLoadBalancer")]
        ports = body.get("destination_port_ranges") or [body.get("destination_port_range")]
        return (sources, ", ".join(str(p) for p in ports if p)) if sources else None
    if kind == "google_compute_firewall" and body.get("direction", "INGRESS") == "INGRESS" and body.get("allow"):
        ports = ", ".join(p for rule in body["allow"] for p in rule.get("ports", [rule.get("protocol", "")]))
        return (body.get("source_ranges", []), ports) if body.get("source_ranges") else None
    if (
        kind == "openstack_networking_secgroup_rule_v2"
        and body.get("direction") == "ingress"
        and body.get("remote_ip_prefix")
    ):
        return [body["remote_ip_prefix"]], _ports(body.get("port_range_min"), body.get("port_range_max"))
    return None


def _groups_of_machines(graph: Graph, bodies: dict, refs: dict) -> dict[str, set[str]]:
    """Machine → what its inbound rules may name: what it references within two steps (its security groups, the
    service account a firewall targets) and the network security groups associated with its subnet (Azure)."""
    by_subnet: dict[str, set[str]] = {}
    for address in bodies:
        if _type(address) == "azurerm_subnet_network_security_group_association":
            for subnet in refs[address]:
                by_subnet.setdefault(subnet, set()).update(refs[address] - {subnet})
    return {
        m.key: _closure(m.key, refs, depth=2) | by_subnet.get(m.parent or "", set()) for m in graph.of_kind("machine")
    }


def _ports(low: object, high: object) -> str:
    if low is None:
        return "all"
    return str(low) if low == high or high is None else f"{low}-{high}"


def _range_label(cidr: str) -> str:
    match = REFERENCE.search(cidr)
    if match:  # a token: another resource's address, e.g. a node's floating IP
        owner = match.group(3).split("_")[0]
        return f"{owner}'s floating IP" if "floatingip" in match.group(2) else f"{owner} ({match.group(2)})"
    return cidr


def _references(body: dict) -> set[str]:
    return {f"{'data.' if data else ''}{kind}.{name}" for data, kind, name in REFERENCE.findall(json.dumps(body))}


def _type(address: str) -> str:
    parts = address.split(".")
    return parts[1] if parts[0] == "data" else parts[0]


def _closure(address: str, refs: dict, depth: int, through_data_only: bool = False) -> set[str]:
    """What `address` references, and what those reference, to `depth` steps; with `through_data_only`, the
    steps after the first go through data sources (policy documents) only, never through another resource."""
    seen, queue = set(), deque([(address, 0)])
    while queue:
        current, level = queue.popleft()
        for target in refs.get(current, ()):
            if target not in seen:
                seen.add(target)
                if level + 1 < depth and (not through_data_only or target.startswith("data.")):
                    queue.append((target, level + 1))
    return seen


def _nearest(address: str, refs: dict, kinds: set[str] | None, depth: int = 3) -> str | None:
    """The nearest resource of `kinds` (any kind when None) that `address` references, breadth first."""
    seen, queue = {address}, deque([(address, 0)])
    while queue:
        current, level = queue.popleft()
        for target in sorted(refs.get(current, ())):
            if target in seen:
                continue
            if kinds is None or _type(target) in kinds:
                return target
            seen.add(target)
            if level + 1 < depth:
                queue.append((target, level + 1))
    return None


def _label(body: dict, *keys: str, tag: bool = False, extra: object = None) -> str:
    name = next((body[k] for k in keys if isinstance(body.get(k), str)), None)
    if tag and name is None:
        name = body.get("tags", {}).get("Name")
    text = str(name or "")
    if extra:
        text += f" {extra[0] if isinstance(extra, list) else extra}"
    return text.strip() or "?"


def _machine_label(cloud: str, body: dict) -> str:
    size = body.get("instance_type") or body.get("size") or body.get("machine_type") or body.get("flavor_name") or "?"
    name = body.get("name") or body.get("tags", {}).get("Name") or "?"
    known = for_cloud(cloud).machine(size)
    accelerators = body.get("guest_accelerator") or []
    if accelerators:
        gpu = f"{accelerators[0]['count']} × {accelerators[0]['type']}"
    elif known and known.gpu:
        gpu = f"{known.gpu_count} × {known.gpu}"
    elif body.get("scheduler_hints"):
        gpu = "reserved by lease"
    else:
        gpu = ""
    return f"{name} · {size}" + (f" · {gpu}" if gpu else "")
