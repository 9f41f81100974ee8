"""OpenStackNetwork and OpenStackFirewall: a site's private network with its router, and the nodes' security group."""

from __future__ import annotations

from collections.abc import Sequence

from cdktf import ITerraformDependable, TerraformProvider
from cdktf_cdktf_provider_openstack.data_openstack_networking_network_v2 import DataOpenstackNetworkingNetworkV2
from cdktf_cdktf_provider_openstack.networking_network_v2 import NetworkingNetworkV2
from cdktf_cdktf_provider_openstack.networking_router_interface_v2 import NetworkingRouterInterfaceV2
from cdktf_cdktf_provider_openstack.networking_router_v2 import NetworkingRouterV2
from cdktf_cdktf_provider_openstack.networking_secgroup_rule_v2 import NetworkingSecgroupRuleV2
from cdktf_cdktf_provider_openstack.networking_secgroup_v2 import NetworkingSecgroupV2
from cdktf_cdktf_provider_openstack.networking_subnet_v2 import NetworkingSubnetV2
from constructs import Construct

from gpulab.rules import addresses
from gpulab.rules.values import require, require_each

DEFAULT_EXTERNAL_NETWORK = "public"  # Chameleon's name for every site's external network
DEFAULT_DNS = ("8.8.8.8", "8.8.4.4")


class OpenStackNetwork(Construct):
    """A private network and subnet, routed out to the site's external network (nodes have no public address
    unless they are given a floating IP)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        cidr: str,
        provider: TerraformProvider | None = None,
        external_network: str = DEFAULT_EXTERNAL_NETWORK,
        dns_servers: Sequence[str] = DEFAULT_DNS,
        tags: Sequence[str] = (),
    ) -> None:
        """
        name: the network's, subnet's and router's name.
        cidr: the subnet, e.g. 192.168.1.0/24; its first address is the gateway.
        provider: the site's provider (an aliased one when the stack spans sites).
        external_network: the network the router reaches out through ("public" on Chameleon).
        tags: Neutron tags on the network, subnet and router (none by default).
        """
        require("cidr", cidr, addresses.cidr_problem)
        super().__init__(scope, id)
        external = DataOpenstackNetworkingNetworkV2(self, "external", name=external_network, provider=provider)
        self.network = NetworkingNetworkV2(
            self, "network", name=name, admin_state_up=True, tags=list(tags) or None, provider=provider
        )
        self.subnet = NetworkingSubnetV2(
            self,
            "subnet",
            name=name,
            network_id=self.network.id,
            cidr=cidr,
            ip_version=4,
            dns_nameservers=list(dns_servers),
            tags=list(tags) or None,
            provider=provider,
        )
        router = NetworkingRouterV2(
            self, "router", name=name, external_network_id=external.id, tags=list(tags) or None, provider=provider
        )
        interface = NetworkingRouterInterfaceV2(
            self, "router-interface", router_id=router.id, subnet_id=self.subnet.id, provider=provider
        )
        self.network_id: str = self.network.id
        self.network_name: str = self.network.name
        self.subnet_id: str = self.subnet.id
        # What a server on this network must wait for: Nova refuses to boot on a network without a subnet
        # ("Network … requires a subnet in order to boot instances on"), and without the router interface
        # a node's first boot cannot reach the internet (packages, cloud-init).
        self.ready: list[ITerraformDependable] = [self.subnet, interface]


class OpenStackFirewall(Construct):
    """A security group for one site's nodes: SSH (22) from `admin_cidrs` only, every protocol between members
    of the group (Kubernetes' API, etcd, kubelet and overlay traffic need it), nothing else inbound; OpenStack's
    default egress rules stay."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        admin_cidrs: Sequence[str] = (),
        provider: TerraformProvider | None = None,
    ) -> None:
        """
        admin_cidrs: sources admitted to SSH; none by default (no SSH from outside the group).
        """
        require_each("admin_cidrs", admin_cidrs, addresses.cidr_problem, addresses.not_everywhere)
        super().__init__(scope, id)
        self.group = NetworkingSecgroupV2(
            self,
            "group",
            name=name,
            description=f"gpulab {name}: SSH from listed ranges, all within",
            provider=provider,
        )
        for protocol in ("tcp", "udp", "icmp"):
            NetworkingSecgroupRuleV2(
                self,
                f"within-{protocol}",
                direction="ingress",
                ethertype="IPv4",
                protocol=protocol,
                remote_group_id=self.group.id,
                security_group_id=self.group.id,
                provider=provider,
            )
        self._provider = provider
        for index, cidr in enumerate(admin_cidrs):
            self.allow_ssh_from(str(index), cidr)
        self.group_id: str = self.group.id
        self.group_name: str = self.group.name

    def allow_ssh_from(self, label: str, cidr: str) -> None:
        """Admit SSH (22) from `cidr` too (a node of another site: its floating IP as a /32)."""
        require("cidr", cidr, addresses.cidr_problem, addresses.not_everywhere)
        NetworkingSecgroupRuleV2(
            self,
            f"ssh-{label}",
            direction="ingress",
            ethertype="IPv4",
            protocol="tcp",
            port_range_min=22,
            port_range_max=22,
            remote_ip_prefix=cidr,
            security_group_id=self.group.id,
            description=f"SSH from {label}",
            provider=self._provider,
        )
