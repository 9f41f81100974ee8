"""AzureHeadquarters: the always-on hub VM, its public name and (optionally) its DNS zone."""

from __future__ import annotations

from collections.abc import Sequence

from cdktf_cdktf_provider_azurerm.dns_a_record import DnsARecord
from cdktf_cdktf_provider_azurerm.dns_zone import DnsZone
from cdktf_cdktf_provider_azurerm.role_assignment import RoleAssignment
from constructs import Construct

from gpulab import defaults
from gpulab.constructs.azure.linux_vm import UBUNTU_LTS, AzureLinuxVm, DiskEncryption, check_vm_arguments
from gpulab.rules import names
from gpulab.rules.values import require, require_each

DNS_TTL_SECONDS = 300
# What certbot's dns-azure plugin needs to write challenge records (certbot-dns-azure docs, "Permissions"),
# granted on the zone alone.
DNS_ZONE_CONTRIBUTOR = "DNS Zone Contributor"


class AzureHeadquarters(Construct):
    """The seed's headquarters: nginx in front of MLflow, TensorBoard, a dashboard and docs.

    A regular (never spot) Ubuntu LTS VM with Trusted Launch, a static public
    IP named `<dns_label>.<location>.cloudapp.azure.com`, and a persistent
    Premium SSD data disk mounted at `data_mount`. With `domain`, an Azure DNS
    zone whose apex and `subdomains` (mlflow, tensorboard, dashboard, docs by
    default) point at that IP; delegate the domain to the zone's name servers
    (`name_servers`). With `dns_challenge` (on by default) the VM's identity
    may edit that zone, and only that zone (DNS Zone Contributor), so certbot
    renews certificates by DNS-01 with port 80 closed. Which ports are open is
    the network's business: see `AzureNetwork.allow_inbound`.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        resource_group_name: str,
        location: str,
        subnet_id: str,
        admin_username: str,
        ssh_public_keys: Sequence[str],
        dns_label: str,
        size: str = defaults.AZURE_HQ_SIZE,
        os_disk_gb: int = defaults.AZURE_HQ_OS_DISK_GB,
        data_disk_gb: int = defaults.DATA_DISK_GB,
        data_mount: str = "/mnt/data",
        data_folders: Sequence[str] = (),
        setup_script: str | None = None,
        domain: str | None = None,
        subdomains: Sequence[str] = defaults.HQ_SUBDOMAINS,
        dns_challenge: bool = True,
        zone: str | None = None,
        encryption_at_host: bool = True,
        disk_encryption: DiskEncryption | None = None,
        protect_data: bool = False,
        tags: dict[str, str] | None = None,
    ) -> None:
        check_vm_arguments(
            admin_username=admin_username,
            ssh_public_keys=ssh_public_keys,
            os_disk_gb=os_disk_gb,
            data_disk_gb=data_disk_gb,
            data_mount=data_mount,
            public_ip_dns_label=dns_label,
            dns_label_argument="dns_label",
        )
        if domain is not None:
            require("domain", domain, names.domain_problem)
            require_each("subdomains", subdomains, names.subdomain_problem)
        super().__init__(scope, id)
        self.machine = AzureLinuxVm(
            self,
            "machine",
            name=name,
            resource_group_name=resource_group_name,
            location=location,
            subnet_id=subnet_id,
            size=size,
            admin_username=admin_username,
            ssh_public_keys=ssh_public_keys,
            image=UBUNTU_LTS,
            os_disk_gb=os_disk_gb,
            data_disk_gb=data_disk_gb,
            data_mount=data_mount,
            data_folders=data_folders,
            setup_script=setup_script,
            public_ip_dns_label=dns_label,
            zone=zone,
            encryption_at_host=encryption_at_host,
            trusted_launch=True,
            disk_encryption=disk_encryption,
            protect_data=protect_data,
            tags=tags,
        )
        self.vm_id: str = self.machine.vm_id
        self.principal_id: str = self.machine.principal_id
        self.data_disk_id: str | None = self.machine.data_disk_id
        self.public_ip: str = self.machine.public_ip  # type: ignore[assignment]
        self.fqdn: str = self.machine.fqdn  # type: ignore[assignment]
        self.name_servers: list[str] | None = None
        self.site_names: list[str] = []
        if domain:
            dns_zone = DnsZone(self, "dns-zone", name=domain, resource_group_name=resource_group_name, tags=tags)
            self.name_servers = dns_zone.name_servers
            zone_name, public_ip_id = dns_zone.name, self.machine.public_ip_id
            for record in ("@", *subdomains):
                DnsARecord(
                    self,
                    f"dns-{'apex' if record == '@' else record}",
                    name=record,
                    zone_name=zone_name,
                    resource_group_name=resource_group_name,
                    ttl=DNS_TTL_SECONDS,
                    target_resource_id=public_ip_id,
                    tags=tags,
                )
                self.site_names.append(domain if record == "@" else f"{record}.{domain}")
            if dns_challenge:
                RoleAssignment(
                    self,
                    "may-answer-dns-challenges",
                    scope=dns_zone.id,
                    role_definition_name=DNS_ZONE_CONTRIBUTOR,
                    principal_id=self.principal_id,
                    principal_type="ServicePrincipal",
                    description=f"gpulab: {name} writes the TXT records of Let's Encrypt DNS-01 challenges",
                )
