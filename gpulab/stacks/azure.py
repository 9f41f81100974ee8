"""AzurePlatformStack: one environment file → the "Echoes" platform on Azure."""

from __future__ import annotations

from cdktf import TerraformOutput, TerraformStack
from cdktf_cdktf_provider_azurerm.resource_group import ResourceGroup
from constructs import Construct

from gpulab.config import azure_names
from gpulab.config.machines import machine_type_for
from gpulab.config.model import Environment
from gpulab.config.tags import common_tags
from gpulab.constructs.azure.backups import AzureDiskBackups
from gpulab.constructs.azure.gpu_vm import DEFAULT_DATA_MOUNT, AzureGpuVm
from gpulab.constructs.azure.headquarters import AzureHeadquarters
from gpulab.constructs.azure.identity import AzureBlobAccess
from gpulab.constructs.azure.key_vault import AzureKeyVault
from gpulab.constructs.azure.linux_vm import Spot
from gpulab.constructs.azure.monitoring import AzureMonitoring
from gpulab.constructs.azure.network import INTERNET, AzureNetwork, FlowLogTarget
from gpulab.constructs.azure.self_stop import AzureSelfDeallocate
from gpulab.constructs.azure.storage import AzureStorage, ContainerSpec, CustomerManagedKey
from gpulab.constructs.public_keys import public_key_from
from gpulab.providers.azure import azure_backend, azure_provider

HTTPS, HTTP, SSH = 443, 80, 22
# Seed 000: the headquarters runs `mlflow ui --host 0.0.0.0 --port 5000`, which experiments log to.
MLFLOW = 5000


class AzurePlatformStack(TerraformStack):
    """Resource group, network, storage, identities, headquarters, experiment VMs and monitoring."""

    def __init__(self, scope: Construct, id: str, *, env: Environment, local_state_path: str) -> None:
        super().__init__(scope, id)
        prefix, location, tags = env.prefix, env.region, common_tags(env)
        azure = env.azure
        azure_provider(self, subscription_id=azure.subscription_id)
        azure_backend(
            self,
            local_path=local_state_path,
            key=env.state.key or f"gpulab/{env.project}/{env.name}.tfstate",
            resource_group=env.state.resource_group,
            storage_account=env.state.storage_account,
            container=env.state.container,
        )
        group = ResourceGroup(self, "resource-group", name=f"rg-{prefix}", location=location, tags=tags)
        rg = group.name
        monitor = env.monitoring
        monitoring = AzureMonitoring(
            self,
            "monitoring",
            name=prefix,
            resource_group_name=rg,
            location=location,
            retention_days=env.log_retention_days,
            alarm_email=monitor.alarm_email,
            tags=tags,
        )
        network = AzureNetwork(
            self,
            "network",
            name=prefix,
            resource_group_name=rg,
            location=location,
            cidr=env.network.cidr,
            zone_count=env.network.zone_count,
            zones=env.network.availability_zones if isinstance(env.network.availability_zones, list) else None,
            public_subnet_cidrs=env.network.public_subnets,
            private_subnet_cidrs=env.network.private_subnets,
            nat=env.network.nat,
            nsg_diagnostics=monitoring.log_analytics,
            tags=tags,
        )
        platform_subnets = network.public_subnet_ids + network.private_subnet_ids
        key_vault = None
        if env.encryption == "kms":
            key_vault = AzureKeyVault(
                self,
                "key-vault",
                name=azure_names.key_vault_name(env),
                resource_group_name=rg,
                location=location,
                deployer_cidrs=azure.deployer_cidrs,
                diagnostics=monitoring.log_analytics,
                protect=env.protect_data,
                tags=tags,
            )
        disk_encryption = key_vault.disk_encryption if key_vault else None
        storage = AzureStorage(
            self,
            "storage",
            name=azure_names.storage_account_name(env),
            resource_group_name=rg,
            location=location,
            containers=[
                ContainerSpec(
                    name=b.name,
                    cool_after_days=b.cool_after_days,
                    archive_after_days=b.archive_after_days,
                    noncurrent_expire_days=b.noncurrent_expire_days,
                    archive_noncurrent_after_days=b.archive_noncurrent_after_days,
                )
                for b in env.buckets
            ],
            replication=azure.storage_replication,
            allowed_subnet_ids=platform_subnets,
            allowed_cidrs=azure.storage_access_cidrs,
            customer_managed_key=(
                CustomerManagedKey(
                    key_id=key_vault.key_id, identity_id=key_vault.storage_identity_id, ready=key_vault.storage_ready
                )
                if key_vault
                else None
            ),
            diagnostics=monitoring.log_analytics,
            protect=env.protect_data,
            tags=tags,
        )
        if env.network.flow_logs:
            network.add_flow_logs(
                FlowLogTarget(
                    storage_account_id=storage.account_id,
                    log_analytics=monitoring.log_analytics,
                )
            )
        keys = [public_key_from(entry) for entry in azure.ssh_public_keys]
        principals: dict[str, str] = {}
        data_disks: dict[str, str | None] = {}
        zones = network.zones

        hq = env.headquarters
        if hq is not None:
            data_mount = hq.data_mount or f"/mnt/{env.project.replace('-', '_')}_data"
            headquarters = AzureHeadquarters(
                self,
                hq.name,
                name=azure_names.vm_name(env, hq.name),
                resource_group_name=rg,
                location=location,
                subnet_id=network.public_subnet_ids[0],
                admin_username=azure.admin_username,
                ssh_public_keys=keys,
                dns_label=azure_names.dns_label(env, hq.name),
                size=hq.machine_type,
                os_disk_gb=hq.os_disk_gb,
                data_disk_gb=hq.data_disk_gb,
                data_mount=data_mount,
                data_folders=hq.data_folders,
                setup_script=hq.setup_script,
                domain=hq.domain,
                subdomains=hq.subdomains,
                dns_challenge=not hq.acme_http,
                zone=zones[0] if zones else None,
                encryption_at_host=azure.encryption_at_host,
                disk_encryption=disk_encryption,
                protect_data=env.protect_data,
                tags=tags,
            )
            web_sources = [INTERNET] if hq.public_web else hq.admin_cidrs
            network.allow_inbound(
                "public", "https", ports=[HTTPS], source_cidrs=web_sources, description="HTTPS to the headquarters"
            )
            if hq.acme_http:
                network.allow_inbound(
                    "public",
                    "http-acme",
                    ports=[HTTP],
                    source_cidrs=[INTERNET],
                    description="HTTP for Let's Encrypt HTTP-01 renewals (nginx redirects the rest to HTTPS)",
                )
            network.allow_inbound(
                "public", "ssh", ports=[SSH], source_cidrs=hq.admin_cidrs, description="SSH from the admin ranges"
            )
            principals[hq.name] = headquarters.principal_id
            data_disks[hq.name] = headquarters.data_disk_id
            monitoring.watch_vm(
                hq.name,
                vm_id=headquarters.vm_id,
                cpu_alarm_percent=monitor.cpu_alarm_percent,
                cpu_alarm_minutes=monitor.cpu_alarm_minutes,
                data_mount=data_mount,
            )
            TerraformOutput(
                self, "headquarters-fqdn", value=headquarters.fqdn, description="DNS name of the headquarters"
            )
            TerraformOutput(
                self,
                "headquarters-public-ip",
                value=headquarters.public_ip,
                description="Static public IP of the headquarters",
            )
            if headquarters.name_servers is not None:
                TerraformOutput(
                    self,
                    "dns-name-servers",
                    value=headquarters.name_servers,
                    description=f"Delegate {hq.domain} to these name servers at your registrar",
                )

        self_deallocate = (
            AzureSelfDeallocate(self, "self-deallocate", resource_group_id=group.id, resource_group_name=rg)
            if any(machine.idle_stop_minutes for machine in env.machines)
            else None
        )
        for machine in env.machines:
            size = machine_type_for(machine, "azure")
            subnets = network.public_subnet_ids if machine.subnet == "public" else network.private_subnet_ids
            ports = machine.ingress.port_numbers()
            network.allow_inbound(
                machine.subnet,
                f"{machine.name}-ports",
                ports=machine.ingress.distinct_ports(),
                source_cidrs=machine.ingress.cidrs,
                description=f"{machine.name}: {', '.join(ports)} from the listed ranges",
            )
            for copy in range(machine.count):
                label = f"{machine.name}-{copy}"
                slot = copy % len(subnets)
                vm = AzureGpuVm(
                    self,
                    label,
                    name=azure_names.vm_name(env, label),
                    resource_group_name=rg,
                    location=location,
                    subnet_id=subnets[slot],
                    size=size,
                    gpu=machine.gpu is not None,
                    admin_username=azure.admin_username,
                    ssh_public_keys=keys,
                    os_disk_gb=machine.root_disk_gb,
                    data_disk_gb=machine.data_disk_gb,
                    setup_script=machine.setup_script,
                    spot=Spot(max_price=machine.spot_max_price) if machine.spot else None,
                    shutdown_at=machine.shutdown_at,
                    shutdown_timezone=machine.shutdown_timezone,
                    idle_stop_minutes=machine.idle_stop_minutes,
                    self_deallocate=self_deallocate,
                    job_container=env.buckets[0].name if env.buckets else None,
                    job_account_url=azure_names.blob_account_url(env) if env.buckets else None,
                    notify_email=monitor.alarm_email,
                    public_ip_dns_label=azure_names.dns_label(env, label) if machine.public_ip else None,
                    zone=zones[slot] if zones else None,
                    encryption_at_host=azure.encryption_at_host,
                    disk_encryption=disk_encryption,
                    protect_data=env.protect_data,
                    tags=tags,
                )
                principals[label] = vm.principal_id
                data_disks[label] = vm.data_disk_id
                monitoring.watch_vm(
                    label,
                    vm_id=vm.vm_id,
                    cpu_alarm_percent=monitor.cpu_alarm_percent,
                    cpu_alarm_minutes=monitor.cpu_alarm_minutes,
                    data_mount=DEFAULT_DATA_MOUNT,
                )
                TerraformOutput(self, f"{label}-vm-id", value=vm.vm_id, description=f"VM id of {label} ({size})")
                TerraformOutput(self, f"{label}-private-ip", value=vm.private_ip, description=f"Private IP of {label}")

        self._segment(network)
        backed_up = {label: disk for label, disk in data_disks.items() if disk}
        if env.backs_up_disks and backed_up:
            AzureDiskBackups(
                self,
                "disk-backups",
                name=prefix,
                resource_group_name=rg,
                location=location,
                disk_ids=backed_up,
                retention_days=env.backups.retention_days,
                daily_at=env.backups.daily_at,
                tags=tags,
            )
        if principals:
            AzureBlobAccess(
                self,
                "blob-access",
                storage_account_id=storage.account_id,
                principal_ids=principals,
                container_ids=storage.container_ids,
            )
        TerraformOutput(self, "resource-group-name", value=rg, description="Resource group holding the platform")
        TerraformOutput(self, "vnet-id", value=network.vnet_id, description="Virtual network id")
        TerraformOutput(self, "storage-account", value=storage.account_name, description="Storage account of the data")
        TerraformOutput(self, "blob-endpoint", value=storage.blob_endpoint, description="Blob endpoint of the data")
        TerraformOutput(
            self,
            "nat-public-ips",
            value=network.nat_public_ips,
            description="Outbound addresses of the private subnets",
        )

    @staticmethod
    def _segment(network: AzureNetwork) -> None:
        """Inside the VNet, only what seed 000's data flow needs crosses between subnets; the rest is refused.

        The headquarters (public subnets) copies code to experiments and fetches
        their results over SSH; experiments log to MLflow on the headquarters
        (HTTPS, or MLflow's own port); machines of one kind talk freely among
        themselves (multi-node training). Azure's default rule would let every
        VNet address reach every port.
        """
        network.allow_from_subnets(
            "private", "from-public-ssh", from_kind="public", ports=[SSH], description="the headquarters drives runs"
        )
        network.allow_from_subnets(
            "public",
            "from-private-mlflow",
            from_kind="private",
            ports=[HTTPS, MLFLOW],
            description="experiments log to MLflow on the headquarters",
        )
        for kind in ("public", "private"):
            network.allow_from_subnets(
                kind, f"within-{kind}", from_kind=kind, ports=None, description=f"{kind} machines among themselves"
            )
            network.deny_other_vnet_inbound(kind)
