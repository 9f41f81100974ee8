"""AwsNetwork: a VPC over N zones with public and private subnets.

Internet gateway for the public subnets; NAT none / single / one per zone for
the private ones; flow logs to a CloudWatch log group; the default security
group locked down; an S3 gateway endpoint so dataset traffic skips the NAT;
and, without a NAT, the interface endpoints that let private machines reach
Session Manager and CloudWatch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from cdktf import Fn, Token
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.data_aws_availability_zones import DataAwsAvailabilityZones
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_region import DataAwsRegion
from cdktf_cdktf_provider_aws.default_security_group import DefaultSecurityGroup
from cdktf_cdktf_provider_aws.eip import Eip
from cdktf_cdktf_provider_aws.flow_log import FlowLog
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.internet_gateway import InternetGateway
from cdktf_cdktf_provider_aws.nat_gateway import NatGateway
from cdktf_cdktf_provider_aws.route import Route
from cdktf_cdktf_provider_aws.route_table import RouteTable
from cdktf_cdktf_provider_aws.route_table_association import RouteTableAssociation
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc
from cdktf_cdktf_provider_aws.vpc_endpoint import VpcEndpoint
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from gpulab import defaults
from gpulab.constructs.aws.policy import assume_role_document, document, statement
from gpulab.netmath import subnet_layout
from gpulab.rules import addresses, names
from gpulab.rules.limits import CLOUDWATCH_RETENTION_DAYS
from gpulab.rules.values import one_of, require

NatMode = Literal["none", "single", "per_az"]
# What a private machine with no NAT needs to reach: Session Manager (ssm, ssmmessages, ec2messages,
# per the Systems Manager docs "Use VPC endpoints to improve the security of EC2 instances") and the
# CloudWatch agent (logs, monitoring); S3 has its gateway endpoint.
NO_NAT_ENDPOINTS = ("ssm", "ssmmessages", "ec2messages", "logs", "monitoring")


class AwsNetwork(Construct):
    """A VPC with public and private subnets in each of N availability zones.

    Public attributes after construction: `vpc_id`, `public_subnet_ids`,
    `private_subnet_ids`, `zone_names` (subnet i lies in zone i),
    `private_route_table_ids`, `nat_gateway_ids`, `interface_endpoint_ids`
    (service → endpoint id),
    `flow_log_group_name` and `flow_log_group_arn` (None without flow logs).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        cidr: str = defaults.VPC_CIDR,
        availability_zones: int | list[str] = defaults.AVAILABILITY_ZONES,
        public_subnet_cidrs: list[str] | None = None,
        private_subnet_cidrs: list[str] | None = None,
        nat: NatMode = "single",
        flow_logs: bool = True,
        flow_log_retention_days: int = defaults.LOG_RETENTION_DAYS["aws"],
        kms_key_arn: str | None = None,
        s3_endpoint: bool = True,
        interface_endpoints: Sequence[str] | None = None,
    ) -> None:
        """Build the network.

        name: prefix of every resource's Name tag and of the flow-log group.
        cidr: the VPC block; 10.0.0.0/16 by default.
        availability_zones: a count (zones picked at plan time from those the
            region offers without opt-in) or explicit zone names; 2 by default.
        public_subnet_cidrs / private_subnet_cidrs: one block per zone; by
            default carved from `cidr` (see `derive_subnet_cidrs`).
        nat: "single" (default) shares one NAT gateway in the first zone,
            "per_az" gives each zone its own (no cross-zone dependency),
            "none" leaves private subnets without internet access.
        flow_logs: VPC flow logs (all traffic) to a CloudWatch log group kept
            `flow_log_retention_days` (7 by default); on by default.
        kms_key_arn: encrypt the flow-log group with this key; by default
            CloudWatch's own encryption.
        s3_endpoint: an S3 gateway endpoint on every route table, so bucket
            traffic stays off the NAT (and free); on by default.
        interface_endpoints: AWS services (`ssm`, `logs`, …) the private
            subnets reach through interface endpoints with private DNS, open
            on 443 to the VPC only. By default NO_NAT_ENDPOINTS when nat is
            "none" (else private machines could not reach Session Manager or
            CloudWatch, and their idle alarm would never fire), none otherwise.
            Each costs about $0.01 an hour per zone.
        """
        require("availability_zones", availability_zones, addresses.zones_problem)
        require("cidr", cidr, addresses.vpc_cidr_problem)
        require("nat", nat, one_of(addresses.NAT_MODES))
        if flow_logs:
            require("flow_log_retention_days", flow_log_retention_days, one_of(CLOUDWATCH_RETENTION_DAYS))
            require("name", f"{name}-flow-logs", names.iam_name_problem)
        zone_count = availability_zones if isinstance(availability_zones, int) else len(availability_zones)
        public_cidrs, private_cidrs = subnet_layout(
            cidr,
            zone_count,
            ("public_subnet_cidrs", public_subnet_cidrs),
            ("private_subnet_cidrs", private_subnet_cidrs),
        )
        super().__init__(scope, id)

        if isinstance(availability_zones, int):
            zones = DataAwsAvailabilityZones(self, "zones", state="available")
            zone_names = [Token.as_string(Fn.element(zones.names, i)) for i in range(zone_count)]
        else:
            zone_names = list(availability_zones)
        self.zone_names = zone_names

        self.vpc = Vpc(
            self,
            "vpc",
            cidr_block=cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": name},
        )
        self.vpc_id = self.vpc.id
        DefaultSecurityGroup(
            self,
            "default-sg",
            vpc_id=self.vpc_id,
            ingress=[],
            egress=[],
            tags={"Name": f"{name}-default-locked"},
        )
        igw = InternetGateway(self, "igw", vpc_id=self.vpc_id, tags={"Name": f"{name}-igw"})

        public = self._subnets("public", public_cidrs, zone_names, name)
        private = self._subnets("private", private_cidrs, zone_names, name)
        self.public_subnet_ids = [s.id for s in public]
        self.private_subnet_ids = [s.id for s in private]

        public_routes_id = RouteTable(self, "public-rt", vpc_id=self.vpc_id, tags={"Name": f"{name}-public"}).id
        Route(
            self,
            "public-default",
            route_table_id=public_routes_id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
        )
        for i, subnet_id in enumerate(self.public_subnet_ids):
            RouteTableAssociation(self, f"public-rta-{i}", subnet_id=subnet_id, route_table_id=public_routes_id)

        nat_count = {"none": 0, "single": 1, "per_az": zone_count}[nat]
        nats = []
        for i in range(nat_count):
            eip = Eip(self, f"nat-eip-{i}", domain="vpc", tags={"Name": f"{name}-nat-{i}"}, depends_on=[igw])
            nats.append(
                NatGateway(
                    self,
                    f"nat-{i}",
                    allocation_id=eip.id,
                    subnet_id=self.public_subnet_ids[i],
                    tags={"Name": f"{name}-nat-{i}"},
                    depends_on=[igw],
                )
            )
        self.nat_gateway_ids = [n.id for n in nats]

        self.private_route_table_ids = []
        for i, subnet_id in enumerate(self.private_subnet_ids):
            table_id = RouteTable(self, f"private-rt-{i}", vpc_id=self.vpc_id, tags={"Name": f"{name}-private-{i}"}).id
            if nats:
                Route(
                    self,
                    f"private-default-{i}",
                    route_table_id=table_id,
                    destination_cidr_block="0.0.0.0/0",
                    nat_gateway_id=self.nat_gateway_ids[i % len(nats)],
                )
            RouteTableAssociation(self, f"private-rta-{i}", subnet_id=subnet_id, route_table_id=table_id)
            self.private_route_table_ids.append(table_id)

        if interface_endpoints is None:
            interface_endpoints = NO_NAT_ENDPOINTS if nat == "none" else ()
        region = DataAwsRegion(self, "region") if s3_endpoint or interface_endpoints else None
        if s3_endpoint:
            VpcEndpoint(
                self,
                "s3-endpoint",
                vpc_id=self.vpc_id,
                service_name=f"com.amazonaws.{region.region}.s3",
                vpc_endpoint_type="Gateway",
                route_table_ids=[public_routes_id, *self.private_route_table_ids],
                tags={"Name": f"{name}-s3"},
            )

        self.interface_endpoint_ids: dict[str, str] = {}
        if interface_endpoints:
            self._add_interface_endpoints(name, cidr, list(interface_endpoints), region.region)

        self.flow_log_group_name: str | None = None
        self.flow_log_group_arn: str | None = None
        if flow_logs:
            self._add_flow_logs(name, flow_log_retention_days, kms_key_arn)

    def _add_interface_endpoints(self, name: str, cidr: str, services: list[str], region: str) -> None:
        """One interface endpoint per service in every private subnet, reachable on 443 from the VPC only."""
        group = SecurityGroup(
            self,
            "endpoints-sg",
            name=f"{name}-endpoints",
            description=f"gpulab {name}: HTTPS to AWS service endpoints from inside the VPC",
            vpc_id=self.vpc_id,
            tags={"Name": f"{name}-endpoints"},
        )
        VpcSecurityGroupIngressRule(
            self,
            "endpoints-in-https",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=cidr,
            description="HTTPS from the VPC",
        )
        for service in services:
            endpoint = VpcEndpoint(
                self,
                f"{service}-endpoint",
                vpc_id=self.vpc_id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Interface",
                subnet_ids=self.private_subnet_ids,
                security_group_ids=[group.id],
                private_dns_enabled=True,
                tags={"Name": f"{name}-{service}"},
            )
            self.interface_endpoint_ids[service] = endpoint.id

    def _subnets(self, tier: str, cidrs: list[str], zone_names: list[str], name: str) -> list[Subnet]:
        """One subnet of `tier` per zone; none hands out public IPs by itself."""
        return [
            Subnet(
                self,
                f"{tier}-{i}",
                vpc_id=self.vpc_id,
                cidr_block=block,
                availability_zone=zone_names[i],
                map_public_ip_on_launch=False,
                tags={"Name": f"{name}-{tier}-{i}", "Tier": tier},
            )
            for i, block in enumerate(cidrs)
        ]

    def _add_flow_logs(self, name: str, retention_days: int, kms_key_arn: str | None) -> None:
        group = CloudwatchLogGroup(
            self,
            "flow-log-group",
            name=f"/aws/vpc/{name}",
            retention_in_days=retention_days,
            kms_key_id=kms_key_arn,
        )
        group_arn = group.arn
        account = DataAwsCallerIdentity(self, "account")
        trust = assume_role_document(
            self, "flow-log-trust", service="vpc-flow-logs.amazonaws.com", source_account=account.account_id
        )
        role = IamRole(self, "flow-log-role", name=f"{name}-flow-logs", assume_role_policy=trust.json)
        writes = document(
            self,
            "flow-log-policy-doc",
            [
                statement(
                    "WriteFlowLogs",
                    ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    [f"{group_arn}:*"],
                )
            ],
        )
        IamRolePolicy(self, "flow-log-policy", name="write-flow-logs", role=role.id, policy=writes.json)
        FlowLog(
            self,
            "flow-log",
            vpc_id=self.vpc_id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group_arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags={"Name": f"{name}-flow-log"},
        )
        self.flow_log_group_name = group.name
        self.flow_log_group_arn = group_arn
