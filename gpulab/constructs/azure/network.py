"""AzureNetwork: a VNet with public and private subnets, an NSG on each, NAT and flow logs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cdktf_cdktf_provider_azurerm.nat_gateway import NatGateway
from cdktf_cdktf_provider_azurerm.nat_gateway_public_ip_association import NatGatewayPublicIpAssociation
from cdktf_cdktf_provider_azurerm.network_security_group import NetworkSecurityGroup
from cdktf_cdktf_provider_azurerm.network_security_rule import NetworkSecurityRule
from cdktf_cdktf_provider_azurerm.network_watcher_flow_log import (
    NetworkWatcherFlowLog,
    NetworkWatcherFlowLogRetentionPolicy,
    NetworkWatcherFlowLogTrafficAnalytics,
)
from cdktf_cdktf_provider_azurerm.public_ip import PublicIp
from cdktf_cdktf_provider_azurerm.subnet import Subnet
from cdktf_cdktf_provider_azurerm.subnet_nat_gateway_association import SubnetNatGatewayAssociation
from cdktf_cdktf_provider_azurerm.subnet_network_security_group_association import (
    SubnetNetworkSecurityGroupAssociation,
)
from cdktf_cdktf_provider_azurerm.virtual_network import VirtualNetwork
from constructs import Construct

from gpulab import defaults
from gpulab.constructs.azure.diagnostics import LogAnalyticsTarget, send_diagnostics
from gpulab.netmath import subnet_layout
from gpulab.rules import addresses
from gpulab.rules.values import one_of, require

DEFAULT_FLOW_LOG_RETENTION_DAYS = 90
NETWORK_WATCHER_RESOURCE_GROUP = "NetworkWatcherRG"
INTERNET = "Internet"
FIRST_RULE_PRIORITY = 100
RULE_PRIORITY_STEP = 10
# Below Azure's own default rules (65000 and up), above every rule gpulab numbers from 100.
DENY_VNET_PRIORITY = 4000
DEFAULT_SERVICE_ENDPOINTS = ("Microsoft.Storage",)
SubnetKind = Literal["public", "private"]


@dataclass(frozen=True)
class FlowLogTarget:
    """Where VNet flow logs go: a storage account, and Log Analytics for traffic analytics."""

    storage_account_id: str
    log_analytics: LogAnalyticsTarget | None = None
    retention_days: int = DEFAULT_FLOW_LOG_RETENTION_DAYS


class AzureNetwork(Construct):
    """A VNet of one public and one private subnet per zone, each behind its own NSG.

    Nothing is reachable from the internet until `allow_inbound` opens a port:
    Azure's default rules deny inbound traffic from outside the VNet. Subnets
    have Azure's implicit outbound access turned off; private subnets reach
    the internet through a NAT gateway with a static public IP (`nat`), public
    subnets through their machines' own public IPs. Every subnet has a
    service endpoint for Storage, so a storage account can admit these
    subnets and nothing else.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        resource_group_name: str,
        location: str,
        cidr: str = defaults.VPC_CIDR,
        zone_count: int = defaults.AVAILABILITY_ZONES,
        zones: Sequence[str] | None = None,
        public_subnet_cidrs: Sequence[str] | None = None,
        private_subnet_cidrs: Sequence[str] | None = None,
        nat: Literal["none", "single", "per_az"] = "single",
        nsg_diagnostics: LogAnalyticsTarget | None = None,
        service_endpoints: Sequence[str] = DEFAULT_SERVICE_ENDPOINTS,
        tags: dict[str, str] | None = None,
    ) -> None:
        """
        name: the base of every resource name (`vnet-<name>`, `snet-<name>-private-0`, …).
        zone_count: how many public/private subnet pairs (2 by default); with
            `zones` (e.g. ["1", "2"]) one pair per zone, and NAT gateways pinned
            to them.
        public_subnet_cidrs, private_subnet_cidrs: one block per pair; by default
            /20s derived from `cidr` (public first, private from the ninth).
        nat: "single" (default) puts one NAT gateway before every private
            subnet; "per_az" one per zone (needs `zones`); "none" leaves private
            subnets without a way out.
        nsg_diagnostics: send each NSG's events and rule counters to Log Analytics.
        service_endpoints: the service endpoints of every subnet; Microsoft.Storage
            by default, so a storage account's firewall can admit the subnets. A Key
            Vault's firewall may admit only subnets with Microsoft.KeyVault (the API
            refuses others, azurerm #11759): add it to admit the subnets there.
        """
        if zones:
            require("zones", list(zones), addresses.zones_problem)
        else:
            require("zone_count", zone_count, addresses.zones_problem)
        require("cidr", cidr, addresses.vpc_cidr_problem)
        require("nat", nat, one_of(addresses.NAT_MODES))
        count = len(zones) if zones else zone_count
        if nat == "per_az" and not zones:
            raise ValueError("nat='per_az' needs zones to pin each NAT gateway to, got none")
        public_cidrs, private_cidrs = subnet_layout(
            cidr,
            count,
            ("public_subnet_cidrs", public_subnet_cidrs),
            ("private_subnet_cidrs", private_subnet_cidrs),
        )
        super().__init__(scope, id)
        self._resource_group_name = resource_group_name
        self._service_endpoints = service_endpoints
        self._location = location
        self._tags = tags or {}
        self._next_priority: dict[str, int] = {}

        self.vnet = VirtualNetwork(
            self,
            "vnet",
            name=f"vnet-{name}",
            resource_group_name=resource_group_name,
            location=location,
            address_space=[cidr],
            tags=self._tags,
        )
        self.vnet_id: str = self.vnet.id
        self.vnet_name: str = self.vnet.name
        self.zones: list[str] | None = list(zones) if zones else None
        self.subnet_ids: dict[SubnetKind, list[str]] = {"public": [], "private": []}
        self.security_group_names: dict[SubnetKind, list[str]] = {"public": [], "private": []}
        self._security_groups: dict[str, NetworkSecurityGroup] = {}
        for kind, cidrs in (("public", public_cidrs), ("private", private_cidrs)):
            for index, block in enumerate(cidrs):
                self._add_subnet(name, kind, index, block, nsg_diagnostics)
        self.subnet_cidrs: dict[SubnetKind, list[str]] = {"public": list(public_cidrs), "private": list(private_cidrs)}
        self.public_subnet_ids = self.subnet_ids["public"]
        self.private_subnet_ids = self.subnet_ids["private"]

        self.nat_public_ips: list[str] = []
        if nat != "none":
            gateway_zones: list[str | None] = list(self.zones) if nat == "per_az" and self.zones else [None]
            gateways = [self._add_nat_gateway(name, index, zone) for index, zone in enumerate(gateway_zones)]
            for index, subnet_id in enumerate(self.private_subnet_ids):
                SubnetNatGatewayAssociation(
                    self,
                    f"private-{index}-nat",
                    subnet_id=subnet_id,
                    nat_gateway_id=gateways[index % len(gateways)].id,
                )
        self._name = name

    def allow_inbound(
        self,
        kind: SubnetKind,
        rule_name: str,
        *,
        ports: Sequence[int],
        source_cidrs: Sequence[str],
        description: str,
    ) -> None:
        """Open TCP `ports` from `source_cidrs` on every subnet of `kind`.

        source_cidrs: address blocks, or ["Internet"] (Azure's service tag)
        for the whole internet; an empty list opens nothing. Priorities are
        given in call order, from 100 in steps of 10.
        """
        if not source_cidrs or not ports:
            return
        self._add_rules(kind, rule_name, "Allow", "Tcp", [str(p) for p in ports], source_cidrs, description)

    def allow_from_subnets(
        self, kind: SubnetKind, rule_name: str, *, from_kind: SubnetKind, ports: Sequence[int] | None, description: str
    ) -> None:
        """Open TCP `ports` (every port and protocol with None) on the subnets of `kind` to those of `from_kind`."""
        if ports is None:
            self._add_rules(kind, rule_name, "Allow", "*", ["*"], self.subnet_cidrs[from_kind], description)
        elif ports:
            self._add_rules(
                kind, rule_name, "Allow", "Tcp", [str(p) for p in ports], self.subnet_cidrs[from_kind], description
            )

    def deny_other_vnet_inbound(self, kind: SubnetKind) -> None:
        """Refuse what Azure's default AllowVnetInBound rule would let in from the VNet past the rules given.

        Without it every machine in the VNet reaches every port of the
        subnets of `kind`; with it only the rules added before and after
        (priorities below DENY_VNET_PRIORITY) let anything in from inside.
        """
        for index, group_name in enumerate(self.security_group_names[kind]):
            NetworkSecurityRule(
                self,
                f"{kind}-{index}-deny-vnet-inbound",
                name="deny-vnet-inbound",
                description="gpulab: nothing else from inside the VNet (Azure's default rule would admit all of it)",
                resource_group_name=self._resource_group_name,
                network_security_group_name=group_name,
                priority=DENY_VNET_PRIORITY,
                direction="Inbound",
                access="Deny",
                protocol="*",
                source_port_range="*",
                destination_port_range="*",
                source_address_prefix="VirtualNetwork",
                destination_address_prefix="VirtualNetwork",
            )

    def _add_rules(
        self,
        kind: SubnetKind,
        rule_name: str,
        access: str,
        protocol: str,
        ports: list[str],
        source_cidrs: Sequence[str],
        description: str,
    ) -> None:
        """One inbound rule on every subnet of `kind`, at the next priority of each group."""
        for index, group_name in enumerate(self.security_group_names[kind]):
            group_id = f"{kind}-{index}"
            priority = self._next_priority.get(group_id, FIRST_RULE_PRIORITY)
            self._next_priority[group_id] = priority + RULE_PRIORITY_STEP
            NetworkSecurityRule(
                self,
                f"{group_id}-{rule_name}",
                name=rule_name,
                description=description,
                resource_group_name=self._resource_group_name,
                network_security_group_name=group_name,
                priority=priority,
                direction="Inbound",
                access=access,
                protocol=protocol,
                source_port_range="*",
                destination_port_ranges=ports,
                **_sources(source_cidrs),
                destination_address_prefix="VirtualNetwork",
            )

    def _add_subnet(
        self, name: str, kind: SubnetKind, index: int, block: str, diagnostics: LogAnalyticsTarget | None
    ) -> None:
        label = f"{kind}-{index}"
        subnet = Subnet(
            self,
            label,
            name=f"snet-{name}-{label}",
            resource_group_name=self._resource_group_name,
            virtual_network_name=self.vnet.name,
            address_prefixes=[block],
            default_outbound_access_enabled=False,
            service_endpoints=list(self._service_endpoints),
        )
        group = NetworkSecurityGroup(
            self,
            f"{label}-nsg",
            name=f"nsg-{name}-{label}",
            resource_group_name=self._resource_group_name,
            location=self._location,
            tags=self._tags,
        )
        SubnetNetworkSecurityGroupAssociation(
            self, f"{label}-nsg-association", subnet_id=subnet.id, network_security_group_id=group.id
        )
        if diagnostics is not None:
            send_diagnostics(
                self, f"{label}-nsg-diagnostics", target_resource_id=group.id, to=diagnostics, metrics=False
            )
        self.subnet_ids[kind].append(subnet.id)
        self.security_group_names[kind].append(group.name)

    def _add_nat_gateway(self, name: str, index: int, zone: str | None) -> NatGateway:
        zones = [zone] if zone else None
        address = PublicIp(
            self,
            f"nat-{index}-ip",
            name=f"pip-{name}-nat-{index}",
            resource_group_name=self._resource_group_name,
            location=self._location,
            allocation_method="Static",
            sku="Standard",
            zones=zones,
            tags=self._tags,
        )
        gateway = NatGateway(
            self,
            f"nat-{index}",
            name=f"ng-{name}-{index}",
            resource_group_name=self._resource_group_name,
            location=self._location,
            sku_name="Standard",
            idle_timeout_in_minutes=10,
            zones=zones,
            tags=self._tags,
        )
        NatGatewayPublicIpAssociation(
            self, f"nat-{index}-ip-association", nat_gateway_id=gateway.id, public_ip_address_id=address.id
        )
        self.nat_public_ips.append(address.ip_address)
        return gateway

    def add_flow_logs(self, target: FlowLogTarget, *, network_watcher_name: str | None = None) -> None:
        """Record the VNet's flows (Network Watcher VNet flow logs, version 2) into `target`.

        network_watcher_name: the region's Network Watcher, which Azure creates
        in NetworkWatcherRG with the first VNet (`NetworkWatcher_<location>` by
        default). Traffic analytics runs when the target names a workspace.
        """
        analytics = None
        if target.log_analytics is not None:
            analytics = NetworkWatcherFlowLogTrafficAnalytics(
                enabled=True,
                workspace_id=target.log_analytics.workspace_id,
                workspace_region=target.log_analytics.location,
                workspace_resource_id=target.log_analytics.workspace_resource_id,
                interval_in_minutes=10,
            )
        NetworkWatcherFlowLog(
            self,
            "flow-log",
            name=f"fl-{self._name}",
            network_watcher_name=network_watcher_name or f"NetworkWatcher_{self._location}",
            resource_group_name=NETWORK_WATCHER_RESOURCE_GROUP,
            location=self._location,
            target_resource_id=self.vnet.id,
            storage_account_id=target.storage_account_id,
            enabled=True,
            version=2,
            retention_policy=NetworkWatcherFlowLogRetentionPolicy(enabled=True, days=target.retention_days),
            traffic_analytics=analytics,
            tags=self._tags,
        )


def _sources(cidrs: Sequence[str]) -> dict:
    """One source is written as a prefix, several as a list (Azure accepts either, not both)."""
    if len(cidrs) == 1:
        return {"source_address_prefix": cidrs[0]}
    return {"source_address_prefixes": list(cidrs)}
