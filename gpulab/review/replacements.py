"""Which resource types hold data, and which of their arguments make Terraform replace them.

A plan replaces a resource (destroy, then create) when an argument its
provider marks `ForceNew` changes; for a disk, a bucket or a key that is
data loss. `gpulab diff` cannot ask a provider, so this table holds what the
providers' schemas say for the types gpulab creates that hold data. Each
entry names its source: the resource's schema in the provider's repository
(read at the commits below), where `ForceNew: true` or a `ForceNewIf…`
customization marks the argument.

Paths are dotted argument names without list indexes (`root_block_device.encrypted`);
a path replaces the resource when it, or anything under it, changes.
"""

from __future__ import annotations

from dataclasses import dataclass

AWS = "hashicorp/terraform-provider-aws internal/service/{} (2025)"
AZURERM = "hashicorp/terraform-provider-azurerm@69697b7 internal/services/{}"
GOOGLE = "hashicorp/terraform-provider-google (2026-08) google/services/{}"


@dataclass(frozen=True)
class DataResource:
    """A resource type that holds data: what replacing or deleting it loses, what forces a replacement."""

    holds: str
    replaced_by: tuple[str, ...]
    source: str
    # Arguments that replace the resource only while another argument has a value: (argument, (other, value)).
    replaced_when: tuple[tuple[str, tuple[str, object]], ...] = ()

    def replacing_paths(self, config: dict) -> tuple[str, ...]:
        """The argument paths that replace this resource, given its (new) configuration."""
        conditional = tuple(path for path, (other, value) in self.replaced_when if config.get(other) == value)
        return self.replaced_by + conditional


DATA_RESOURCES: dict[str, DataResource] = {
    "aws_ebs_volume": DataResource(
        "the volume's data",
        ("availability_zone", "encrypted", "kms_key_id", "multi_attach_enabled", "outpost_arn", "snapshot_id"),
        AWS.format("ec2/ebs_volume.go"),
    ),
    "aws_instance": DataResource(
        "the root volume",
        (
            "ami",
            "associate_public_ip_address",
            "availability_zone",
            "cpu_options",
            "ebs_block_device",
            "ebs_optimized",
            "ephemeral_block_device",
            "host_id",
            "instance_market_options",
            "key_name",
            "launch_template",
            "placement_group",
            "private_ip",
            "root_block_device.encrypted",
            "root_block_device.kms_key_id",
            "security_groups",
            "subnet_id",
            "tenancy",
        ),
        AWS.format("ec2/ec2_instance.go"),
        replaced_when=(("user_data", ("user_data_replace_on_change", True)),),
    ),
    "aws_s3_bucket": DataResource(
        "every object", ("bucket", "bucket_prefix", "object_lock_enabled"), AWS.format("s3/bucket.go")
    ),
    "aws_kms_key": DataResource(
        "the key: what it encrypted becomes unreadable",
        ("custom_key_store_id", "customer_master_key_spec", "key_usage", "multi_region", "xks_key_id"),
        AWS.format("kms/key.go"),
    ),
    "aws_cloudwatch_log_group": DataResource(
        "the logs", ("name", "name_prefix", "log_group_class"), AWS.format("logs/group.go")
    ),
    "azurerm_managed_disk": DataResource(
        "the disk's data",
        (
            "name",
            "location",
            "resource_group_name",
            "zone",
            "create_option",
            "edge_zone",
            "logical_sector_size",
            "source_uri",
            "source_resource_id",
            "storage_account_id",
            "image_reference_id",
            "gallery_image_reference_id",
            "security_type",
            "secure_vm_disk_encryption_set_id",
            "hyper_v_generation",
        ),
        AZURERM.format("compute/managed_disk_resource.go"),
    ),
    "azurerm_linux_virtual_machine": DataResource(
        "the OS disk",
        (
            "name",
            "location",
            "resource_group_name",
            "zone",
            "admin_username",
            "admin_password",
            "admin_ssh_key",
            "availability_set_id",
            "computer_name",
            "custom_data",  # azurerm #7234
            "disable_password_authentication",
            "eviction_policy",
            "priority",
            "provision_vm_agent",
            "secure_boot_enabled",
            "source_image_id",
            "source_image_reference",
            "vtpm_enabled",
            "os_disk.name",
            "os_disk.storage_account_type",
            "os_disk.diff_disk_settings",
        ),
        AZURERM.format("compute/linux_virtual_machine_resource.go, virtual_machine.go, shared_schema.go"),
    ),
    "azurerm_storage_account": DataResource(
        "every container, blob and file share",
        (
            "name",
            "location",
            "resource_group_name",
            "account_tier",
            "is_hns_enabled",
            "infrastructure_encryption_enabled",
            "queue_encryption_key_type",
            "table_encryption_key_type",
            "dns_endpoint_type",
        ),
        AZURERM.format("storage/storage_account_resource.go"),
    ),
    "azurerm_storage_container": DataResource(
        "every blob in it",
        ("name", "storage_account_id", "storage_account_name", "default_encryption_scope"),
        AZURERM.format("storage/storage_container_resource.go"),
    ),
    "azurerm_key_vault": DataResource(
        "every key and secret in it",
        ("name", "location", "resource_group_name"),
        AZURERM.format("keyvault/key_vault_resource.go"),
    ),
    "azurerm_key_vault_key": DataResource(
        "the key: what it encrypted becomes unreadable",
        ("name", "key_vault_id", "key_type", "key_size", "curve"),
        AZURERM.format("keyvault/key_vault_key_resource.go"),
    ),
    "azurerm_data_protection_backup_vault": DataResource(
        "every backup in it",
        ("name", "location", "resource_group_name", "datastore_type", "redundancy"),
        AZURERM.format("dataprotection/data_protection_backup_vault_resource.go"),
    ),
    "azurerm_log_analytics_workspace": DataResource(
        "the logs",
        ("name", "location", "resource_group_name"),
        AZURERM.format("loganalytics/log_analytics_workspace_resource.go"),
    ),
    "google_compute_disk": DataResource(
        "the disk's data",
        (
            "name",
            "zone",
            "project",
            "type",
            "image",
            "snapshot",
            "disk_encryption_key",
            "source_disk",
            "physical_block_size_bytes",
            "storage_pool",
            "architecture",
            "guest_os_features",
            "licenses",
        ),
        GOOGLE.format("compute/resource_compute_disk.go (size: replaced when it shrinks)"),
    ),
    "google_compute_instance": DataResource(
        "the boot disk",
        ("name", "zone", "project", "boot_disk", "network_interface", "guest_accelerator", "scratch_disk", "hostname"),
        GOOGLE.format("compute/resource_compute_instance.go"),
    ),
    "google_storage_bucket": DataResource(
        "every object",
        ("name", "location", "project", "enable_object_retention", "hierarchical_namespace"),
        GOOGLE.format("storage/resource_storage_bucket.go"),
    ),
    "google_kms_key_ring": DataResource(
        "its keys (key rings and keys cannot be deleted; a new one is made beside)",
        ("name", "location", "project"),
        GOOGLE.format("kms/resource_kms_key_ring.go"),
    ),
    "google_kms_crypto_key": DataResource(
        "the key's versions: what they encrypted becomes unreadable",
        ("name", "key_ring", "purpose", "import_only", "crypto_key_backend", "destroy_scheduled_duration"),
        GOOGLE.format("kms/resource_kms_crypto_key.go"),
    ),
}


def held_data(resource_type: str) -> str | None:
    """What a resource of `resource_type` holds that deleting or replacing it loses; None for the other types."""
    rule = DATA_RESOURCES.get(resource_type)
    return rule.holds if rule else None


def loses_data(resource_type: str, action: str) -> bool:
    """Whether `action` (create, update, replace, delete) on a `resource_type` loses data."""
    return held_data(resource_type) is not None and action in ("delete", "replace")


def replacing_change(resource_type: str, config: dict, changed_paths: list[str]) -> list[str]:
    """The changed argument paths that make Terraform replace a `resource_type` configured as `config`."""
    rule = DATA_RESOURCES.get(resource_type)
    if rule is None:
        return []
    replacing = rule.replacing_paths(config)
    return [path for path in changed_paths if any(path == r or path.startswith(r + ".") for r in replacing)]


def shrinks(resource_type: str, path: str, old: object, new: object) -> bool:
    """A disk made smaller: google_compute_disk replaces on it (`ForceNewIfChange("size", IsDiskShrinkage)`)."""
    return (
        resource_type == "google_compute_disk"
        and path == "size"
        and isinstance(old, int)
        and isinstance(new, int)
        and new < old
    )
