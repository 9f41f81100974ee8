"""GcpNetwork: a custom-mode VPC, one regional subnet, Cloud NAT, and a firewall that admits almost nothing."""

from __future__ import annotations

from collections.abc import Sequence

from cdktf_cdktf_provider_google.compute_address import ComputeAddress
from cdktf_cdktf_provider_google.compute_firewall import (
    ComputeFirewall,
    ComputeFirewallAllow,
    ComputeFirewallDeny,
    ComputeFirewallLogConfig,
)
from cdktf_cdktf_provider_google.compute_network import ComputeNetwork
from cdktf_cdktf_provider_google.compute_router import ComputeRouter
from cdktf_cdktf_provider_google.compute_router_nat import ComputeRouterNat, ComputeRouterNatLogConfig
from cdktf_cdktf_provider_google.compute_subnetwork import ComputeSubnetwork, ComputeSubnetworkLogConfig
from constructs import Construct

from gpulab.rules import addresses, names
from gpulab.rules.values import require, require_each, within

# Identity-Aware Proxy's TCP forwarding comes from this range: `gcloud compute ssh --tunnel-through-iap`.
IAP_RANGE = "35.235.240.0/20"
EVERYWHERE = "0.0.0.0/0"
NAT_ADDRESSES = (1, 16)
WEB_PORTS = ("80", "443")


class GcpNetwork(Construct):
    """A VPC with no automatic subnets and no default firewall openings.

    One regional subnet with Private Google Access (machines without external
    IPs reach Google APIs) and flow logs (on by default). A Cloud Router and
    Cloud NAT with `nat_addresses` static IPs give machines the way out, and
    fixed source addresses a head node elsewhere can allow. Inbound, SSH only
    from IAP's range (`iap_ssh`) and `admin_cidrs`; nothing else unless
    `allow_inbound` opens it. Outbound, unless `open_egress`: HTTP and HTTPS
    anywhere (packages, models, Google APIs) and what `allow_outbound` opens;
    everything else is denied and logged.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        project: str,
        region: str,
        cidr: str,
        target_service_accounts: Sequence[str],
        iap_ssh: bool = True,
        admin_cidrs: Sequence[str] = (),
        open_egress: bool = False,
        nat: bool = True,
        nat_addresses: int = 1,
        flow_logs: bool = True,
    ) -> None:
        """
        target_service_accounts: the machines the firewall rules apply to, by
            their service account (rules never apply to other VMs in the VPC).
        cidr: the subnet's block, a /8 to a /29.
        admin_cidrs: SSH sources besides IAP's range; none by default (0.0.0.0/0 is refused).
        nat_addresses: static external IPs for Cloud NAT (1 by default, 1-16).
        """
        require("name", f"{name}-subnet", names.gce_resource_name_problem)
        require("cidr", cidr, addresses.gce_subnet_cidr_problem)
        require_each("admin_cidrs", admin_cidrs, addresses.cidr_problem)
        require("nat_addresses", nat_addresses, within(NAT_ADDRESSES))
        if EVERYWHERE in admin_cidrs:
            raise ValueError("admin_cidrs must not hold 0.0.0.0/0: SSH would be open to the internet")
        super().__init__(scope, id)
        self._name, self._project, self._targets = name, project, list(target_service_accounts)
        self.network = ComputeNetwork(
            self,
            "vpc",
            name=f"{name}-vpc",
            project=project,
            auto_create_subnetworks=False,
            routing_mode="REGIONAL",
        )
        self.network_id: str = self.network.id
        self.network_self_link: str = self.network.self_link
        self.subnet = ComputeSubnetwork(
            self,
            "subnet",
            name=f"{name}-subnet",
            project=project,
            region=region,
            network=self.network_id,
            ip_cidr_range=cidr,
            private_ip_google_access=True,
            log_config=(
                ComputeSubnetworkLogConfig(
                    aggregation_interval="INTERVAL_5_MIN", flow_sampling=0.5, metadata="INCLUDE_ALL_METADATA"
                )
                if flow_logs
                else None
            ),
        )
        self.subnet_id: str = self.subnet.id
        self.subnet_self_link: str = self.subnet.self_link
        self.nat_ips: list[str] = []
        if nat:
            static_ips = [
                ComputeAddress(self, f"nat-ip-{index}", name=f"{name}-nat-{index}", project=project, region=region)
                for index in range(nat_addresses)
            ]
            self.nat_ips = [a.address for a in static_ips]
            router = ComputeRouter(
                self, "router", name=f"{name}-router", project=project, region=region, network=self.network_id
            )
            ComputeRouterNat(
                self,
                "nat",
                name=f"{name}-nat",
                project=project,
                region=region,
                router=router.name,
                nat_ip_allocate_option="MANUAL_ONLY",
                nat_ips=[a.self_link for a in static_ips],
                source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_IP_RANGES",
                log_config=ComputeRouterNatLogConfig(enable=True, filter="ERRORS_ONLY"),
            )
        ssh_sources = ([IAP_RANGE] if iap_ssh else []) + list(admin_cidrs)
        self.allow_inbound("ssh", ports=["22"], source_ranges=ssh_sources)
        if not open_egress:
            self.allow_outbound("web", ports=list(WEB_PORTS), destination_ranges=[EVERYWHERE])
            ComputeFirewall(
                self,
                "deny-egress",
                name=f"{name}-deny-egress",
                project=project,
                network=self.network_id,
                direction="EGRESS",
                priority=65000,
                deny=[ComputeFirewallDeny(protocol="all")],
                destination_ranges=[EVERYWHERE],
                target_service_accounts=self._targets,
                log_config=ComputeFirewallLogConfig(metadata="INCLUDE_ALL_METADATA"),
            )

    def allow_inbound(self, rule: str, *, ports: Sequence[str], source_ranges: Sequence[str]) -> None:
        """Admit TCP `ports` from `source_ranges` to the target machines (nothing when no ranges)."""
        if source_ranges:
            self._rule(rule, "INGRESS", ports, source_ranges=list(source_ranges))

    def allow_outbound(self, rule: str, *, ports: Sequence[str], destination_ranges: Sequence[str]) -> None:
        """Let the target machines open TCP connections to `destination_ranges` on `ports`."""
        if destination_ranges:
            self._rule(rule, "EGRESS", ports, destination_ranges=list(destination_ranges))

    def _rule(self, rule: str, direction: str, ports: Sequence[str], **ranges: list[str]) -> None:
        suffix = "in" if direction == "INGRESS" else "out"
        ComputeFirewall(
            self,
            f"{rule}-{suffix}",
            name=f"{self._name}-{rule}-{suffix}",
            project=self._project,
            network=self.network_id,
            direction=direction,
            priority=1000,
            allow=[ComputeFirewallAllow(protocol="tcp", ports=list(ports))],
            target_service_accounts=self._targets,
            log_config=ComputeFirewallLogConfig(metadata="INCLUDE_ALL_METADATA"),
            **ranges,
        )
