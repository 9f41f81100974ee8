"""AzureLinuxVm: one Linux VM with a NIC, an SSH-only admin, a managed identity and its own data disk.

The headquarters and the GPU experiment VMs are both built from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf import Fn, ITerraformDependable, TerraformResourceLifecycle
from cdktf_cdktf_provider_azurerm.linux_virtual_machine import (
    LinuxVirtualMachine,
    LinuxVirtualMachineAdminSshKey,
    LinuxVirtualMachineBootDiagnostics,
    LinuxVirtualMachineIdentity,
    LinuxVirtualMachineOsDisk,
    LinuxVirtualMachineSourceImageReference,
)
from cdktf_cdktf_provider_azurerm.managed_disk import ManagedDisk
from cdktf_cdktf_provider_azurerm.network_interface import NetworkInterface, NetworkInterfaceIpConfiguration
from cdktf_cdktf_provider_azurerm.public_ip import PublicIp
from cdktf_cdktf_provider_azurerm.virtual_machine_data_disk_attachment import VirtualMachineDataDiskAttachment
from constructs import Construct

from gpulab.constructs.azure import boot_loader
from gpulab.constructs.boot_script import boot_script
from gpulab.rules import limits, names
from gpulab.rules.boot_scripts import check_rendered_script
from gpulab.rules.values import positive_problem, require, within

# Premium SSD disks above 4 TiB do not support host caching.
MAX_CACHED_DISK_GB = 4095


@dataclass(frozen=True)
class Image:
    """A marketplace image."""

    publisher: str
    offer: str
    sku: str
    version: str = "latest"


# Ubuntu 24.04 LTS (standard support to 2029); the seed's 20.04 left standard support in 2025-05.
UBUNTU_LTS = Image("Canonical", "ubuntu-24_04-lts", "server")
# Microsoft's Ubuntu 22.04 HPC image: NVIDIA driver, CUDA, NCCL and InfiniBand preinstalled.
UBUNTU_HPC_GPU = Image("microsoft-dsvm", "ubuntu-hpc", "2204")


def _literal(text: str) -> str:
    """`text` as a Terraform string literal that arrives unchanged.

    Fn.raw_string escapes quotes and `${`, but not backslashes or `%{`
    template directives; a test round-trips a script through terraform.
    """
    return Fn.raw_string(text.replace("\\", "\\\\").replace("%{", "%%{"))


@dataclass(frozen=True)
class DiskEncryption:
    """A disk encryption set (customer-managed key), and what must exist before a disk uses it.

    ready: usually the role assignment that lets the set use its key; disks
    created before it would fail.
    """

    disk_encryption_set_id: str
    ready: Sequence[ITerraformDependable] = ()


@dataclass(frozen=True)
class Spot:
    """Run on spare capacity: Azure may evict (deallocate) the VM at any time.

    max_price: the most to pay per hour in USD, above 0; None pays up to the on-demand price.
    """

    max_price: float | None = None

    def __post_init__(self) -> None:
        if self.max_price is not None:
            require("max_price", self.max_price, positive_problem)


def check_vm_arguments(
    *,
    admin_username: str,
    ssh_public_keys: Sequence[str],
    os_disk_gb: int,
    data_disk_gb: int | None,
    data_mount: str | None,
    public_ip_dns_label: str | None,
    dns_label_argument: str = "public_ip_dns_label",
) -> None:
    """Raise ValueError naming the first of AzureLinuxVm's arguments that Azure would refuse.

    The constructs built on AzureLinuxVm call it before they build anything,
    naming their own argument for the DNS label (`dns_label_argument`).
    """
    require("admin_username", admin_username, names.admin_username_problem)
    if not ssh_public_keys:
        raise ValueError("ssh_public_keys must list at least one key (password login is off)")
    if data_mount and not data_disk_gb:
        raise ValueError(f"data_mount {data_mount!r} needs data_disk_gb")
    require("os_disk_gb", os_disk_gb, within(limits.AZURE_OS_DISK_GB))
    if data_disk_gb is not None:
        require("data_disk_gb", data_disk_gb, within(limits.AZURE_DATA_DISK_GB))
    if public_ip_dns_label is not None:
        require(dns_label_argument, public_ip_dns_label, names.dns_label_problem)


class AzureLinuxVm(Construct):
    """A Linux VM that accepts SSH keys only, with a system-assigned identity.

    Secure by default: password login off, no public IP unless
    `public_ip_dns_label` is given, encryption at host (temp disk and caches
    too) unless `encryption_at_host=False`, data disk closed to disk exports
    (`DenyAll`), boot diagnostics in managed storage. The data disk is a
    separate resource (`data_disk_gb`), formatted on first use and mounted at
    `data_mount` by the boot script; with `protect_data` Terraform refuses to
    destroy it, so results outlive the VM.
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
        size: str,
        admin_username: str,
        ssh_public_keys: Sequence[str],
        image: Image = UBUNTU_LTS,
        os_disk_gb: int = 30,
        data_disk_gb: int | None = None,
        data_mount: str | None = None,
        data_folders: Sequence[str] = (),
        setup_script: str | None = None,
        boot_steps: Sequence[str] = (),
        public_ip_dns_label: str | None = None,
        zone: str | None = None,
        spot: Spot | None = None,
        accelerated_networking: bool | None = None,
        encryption_at_host: bool = True,
        trusted_launch: bool = False,
        disk_encryption: DiskEncryption | None = None,
        protect_data: bool = False,
        tags: dict[str, str] | None = None,
    ) -> None:
        """
        ssh_public_keys: OpenSSH public key lines, or Terraform expressions
            (see `gpulab.constructs.public_keys.public_key_from`); at least one.
        admin_username: the SSH user; a Linux user name that Azure does not
            reserve (not root, admin, administrator, …).
        os_disk_gb: at least the image's size (30 GB for Ubuntu), at most 4095.
        data_disk_gb: a Premium SSD data disk at LUN 0, 4 to 32767 GB (none by default).
        data_mount: where the boot script mounts the data disk (needs data_disk_gb).
        boot_steps: gpulab's own shell lines for the boot script (an agent's
            install), run after the data disk is mounted and before setup_script; none by default.
        public_ip_dns_label: give the VM a static public IP named
            `<label>.<location>.cloudapp.azure.com`.
        spot: run as a spot VM, deallocated (not deleted) on eviction.
        accelerated_networking: on by default, except on B-series sizes, which lack it.
        trusted_launch: Secure Boot and vTPM; needs a signed boot chain, so it is
            off by default for GPU images with their own kernel modules.
        disk_encryption: encrypt the OS and data disks with a customer-managed
            key (platform-managed keys by default).
        """
        check_vm_arguments(
            admin_username=admin_username,
            ssh_public_keys=ssh_public_keys,
            os_disk_gb=os_disk_gb,
            data_disk_gb=data_disk_gb,
            data_mount=data_mount,
            public_ip_dns_label=public_ip_dns_label,
        )
        super().__init__(scope, id)
        tags = tags or {}
        zones = [zone] if zone else None
        encryption_set_id = disk_encryption.disk_encryption_set_id if disk_encryption else None
        wait_for = list(disk_encryption.ready) if disk_encryption else None
        self.public_ip: str | None = None
        self.fqdn: str | None = None
        self.public_ip_id: str | None = None
        if public_ip_dns_label:
            address = PublicIp(
                self,
                "public-ip",
                name=f"pip-{name}",
                resource_group_name=resource_group_name,
                location=location,
                allocation_method="Static",
                sku="Standard",
                domain_name_label=public_ip_dns_label,
                zones=zones,
                tags=tags,
            )
            self.public_ip = address.ip_address
            self.fqdn = address.fqdn
            self.public_ip_id = address.id
        nic = NetworkInterface(
            self,
            "nic",
            name=f"nic-{name}",
            resource_group_name=resource_group_name,
            location=location,
            accelerated_networking_enabled=(
                accelerated_networking if accelerated_networking is not None else not size.startswith("Standard_B")
            ),
            ip_configuration=[
                NetworkInterfaceIpConfiguration(
                    name="primary",
                    subnet_id=subnet_id,
                    private_ip_address_allocation="Dynamic",
                    public_ip_address_id=self.public_ip_id,
                )
            ],
            tags=tags,
        )
        script = boot_script(
            data_mount=data_mount,
            data_folders=data_folders,
            owner=admin_username,
            steps=boot_steps,
            setup_script=setup_script,
        )
        check_rendered_script("azure", script)
        self.vm = LinuxVirtualMachine(
            self,
            "vm",
            name=name,
            computer_name=name,
            resource_group_name=resource_group_name,
            location=location,
            size=size,
            zone=zone,
            network_interface_ids=[nic.id],
            admin_username=admin_username,
            admin_ssh_key=[
                LinuxVirtualMachineAdminSshKey(username=admin_username, public_key=key) for key in ssh_public_keys
            ],
            disable_password_authentication=True,
            source_image_reference=LinuxVirtualMachineSourceImageReference(
                publisher=image.publisher, offer=image.offer, sku=image.sku, version=image.version
            ),
            os_disk=LinuxVirtualMachineOsDisk(
                name=f"osdisk-{name}",
                caching="ReadWrite",
                storage_account_type="Premium_LRS",
                disk_size_gb=os_disk_gb,
                disk_encryption_set_id=encryption_set_id,
            ),
            custom_data=Fn.base64encode(_literal(boot_loader.custom_data())),
            user_data=Fn.base64encode(_literal(boot_loader.user_data_script(script))),
            identity=LinuxVirtualMachineIdentity(type="SystemAssigned"),
            encryption_at_host_enabled=encryption_at_host,
            secure_boot_enabled=trusted_launch or None,
            vtpm_enabled=trusted_launch or None,
            boot_diagnostics=LinuxVirtualMachineBootDiagnostics(),
            provision_vm_agent=True,
            allow_extension_operations=True,
            patch_assessment_mode="AutomaticByPlatform",
            priority="Spot" if spot else "Regular",
            eviction_policy="Deallocate" if spot else None,
            max_bid_price=(spot.max_price or -1) if spot else None,
            depends_on=wait_for,
            tags=tags,
        )
        self.vm_id: str = self.vm.id
        self.principal_id: str = self.vm.identity.principal_id
        self.private_ip: str = nic.private_ip_address
        self.data_disk_id: str | None = None
        if data_disk_gb:
            disk = ManagedDisk(
                self,
                "data-disk",
                name=f"disk-{name}-data",
                resource_group_name=resource_group_name,
                location=location,
                storage_account_type="Premium_LRS",
                create_option="Empty",
                disk_size_gb=data_disk_gb,
                zone=zone,
                public_network_access_enabled=False,
                network_access_policy="DenyAll",
                disk_encryption_set_id=encryption_set_id,
                depends_on=wait_for,
                lifecycle=TerraformResourceLifecycle(prevent_destroy=True) if protect_data else None,
                tags=tags,
            )
            VirtualMachineDataDiskAttachment(
                self,
                "data-disk-attachment",
                managed_disk_id=disk.id,
                virtual_machine_id=self.vm.id,
                lun=0,
                caching="ReadOnly" if data_disk_gb <= MAX_CACHED_DISK_GB else "None",
            )
            self.data_disk_id = disk.id
