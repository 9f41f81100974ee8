"""AzureKeyVault: a customer-managed key for the platform's storage account and disks."""

from __future__ import annotations

from collections.abc import Sequence

from cdktf import ITerraformDependable, TerraformResourceLifecycle
from cdktf_cdktf_provider_azurerm.data_azurerm_client_config import DataAzurermClientConfig
from cdktf_cdktf_provider_azurerm.disk_encryption_set import DiskEncryptionSet, DiskEncryptionSetIdentity
from cdktf_cdktf_provider_azurerm.key_vault import KeyVault, KeyVaultNetworkAcls
from cdktf_cdktf_provider_azurerm.key_vault_key import (
    KeyVaultKey,
    KeyVaultKeyRotationPolicy,
    KeyVaultKeyRotationPolicyAutomatic,
)
from cdktf_cdktf_provider_azurerm.role_assignment import RoleAssignment
from cdktf_cdktf_provider_azurerm.user_assigned_identity import UserAssignedIdentity
from constructs import Construct

from gpulab.constructs.azure.diagnostics import LogAnalyticsTarget, send_diagnostics
from gpulab.constructs.azure.linux_vm import DiskEncryption
from gpulab.constructs.azure.locks import lock_against_deletion
from gpulab.rules import addresses, names
from gpulab.rules.values import require, require_each, within

CRYPTO_OFFICER = "Key Vault Crypto Officer"
CRYPTO_SERVICE_USER = "Key Vault Crypto Service Encryption User"
SOFT_DELETE_DAYS = 90
ROTATE_AFTER_DAYS = (30, 730)
KEY_SIZE = 3072


class AzureKeyVault(Construct):
    """An RBAC Key Vault with one HSM-backed RSA key, and the identities allowed to use it.

    The vault has purge protection and 90-day soft delete, a firewall that
    admits only `deployer_cidrs` (Terraform creates the key through the
    vault's data plane) and `allowed_subnet_ids`, and sends its audit log to
    Log Analytics. The key (RSA-HSM 3072, wrap/unwrap only) rotates itself
    every `rotate_after_days` and expires a month after that unless rotated.
    Only two identities may use it, each granted on the key alone: a
    user-assigned identity for the storage account (`storage_identity_id`)
    and a disk encryption set (`disk_encryption`) for managed disks. The
    identity running Terraform becomes Crypto Officer of this vault, so it
    can create and rotate the key.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        resource_group_name: str,
        location: str,
        deployer_cidrs: Sequence[str] = (),
        allowed_subnet_ids: Sequence[str] = (),
        rotate_after_days: int = 365,
        diagnostics: LogAnalyticsTarget | None = None,
        protect: bool = False,
        tags: dict[str, str] | None = None,
    ) -> None:
        """
        name: 3-24 letters, digits and single hyphens, starting with a letter, unique in Azure.
        rotate_after_days: rotate the key this long after creation (30 to 730, 365 by default).
        deployer_cidrs: the addresses Terraform runs from; without them only
            Azure's trusted services and `allowed_subnet_ids` reach the vault,
            and creating the key fails unless Terraform runs inside the VNet.
        allowed_subnet_ids: subnets whose machines use the vault directly; none
            by default (disks and storage reach the key as trusted services).
            Each must have the Microsoft.KeyVault service endpoint, or the API
            refuses the firewall (SubnetsHaveNoServiceEndpointsConfigured,
            azurerm #11759; `AzureNetwork(service_endpoints=…)`).
        protect: Terraform refuses to destroy the vault or the key, and a
            CanNotDelete management lock refuses the vault's deletion from anywhere else.
        """
        require("name", name, names.key_vault_name_problem)
        require_each("deployer_cidrs", deployer_cidrs, addresses.cidr_problem)
        require("rotate_after_days", rotate_after_days, within(ROTATE_AFTER_DAYS))
        super().__init__(scope, id)
        tags = tags or {}
        lifecycle = TerraformResourceLifecycle(prevent_destroy=True) if protect else None
        client = DataAzurermClientConfig(self, "deployer")
        self.vault = KeyVault(
            self,
            "vault",
            name=name,
            resource_group_name=resource_group_name,
            location=location,
            tenant_id=client.tenant_id,
            sku_name="premium",
            rbac_authorization_enabled=True,
            purge_protection_enabled=True,
            soft_delete_retention_days=SOFT_DELETE_DAYS,
            enabled_for_disk_encryption=True,
            network_acls=KeyVaultNetworkAcls(
                default_action="Deny",
                bypass="AzureServices",
                ip_rules=list(deployer_cidrs),
                virtual_network_subnet_ids=list(allowed_subnet_ids),
            ),
            lifecycle=lifecycle,
            tags=tags,
        )
        if protect:
            lock_against_deletion(self, "vault-lock", resource_id=self.vault.id, what="the Key Vault")
        officer = RoleAssignment(
            self,
            "deployer-crypto-officer",
            scope=self.vault.id,
            role_definition_name=CRYPTO_OFFICER,
            principal_id=client.object_id,
            description="gpulab: the identity running Terraform manages the platform's key",
        )
        self.key = KeyVaultKey(
            self,
            "key",
            name="platform",
            key_vault_id=self.vault.id,
            key_type="RSA-HSM",
            key_size=KEY_SIZE,
            key_opts=["wrapKey", "unwrapKey"],
            rotation_policy=KeyVaultKeyRotationPolicy(
                automatic=KeyVaultKeyRotationPolicyAutomatic(time_after_creation=f"P{rotate_after_days}D"),
                expire_after=f"P{rotate_after_days + 30}D",
                notify_before_expiry="P29D",
            ),
            depends_on=[officer],
            lifecycle=lifecycle,
            tags=tags,
        )
        self.key_id: str = self.key.versionless_id

        identity = UserAssignedIdentity(
            self,
            "storage-identity",
            name=f"id-{name}-storage",
            resource_group_name=resource_group_name,
            location=location,
            tags=tags,
        )
        storage_grant = self._grant_key("storage-identity-key-user", identity.principal_id, "the storage account")
        self.storage_identity_id: str = identity.id
        self.storage_ready: list[ITerraformDependable] = [storage_grant]

        encryption_set = DiskEncryptionSet(
            self,
            "disk-encryption-set",
            name=f"des-{name}",
            resource_group_name=resource_group_name,
            location=location,
            key_vault_key_id=self.key.versionless_id,
            auto_key_rotation_enabled=True,
            encryption_type="EncryptionAtRestWithCustomerKey",
            identity=DiskEncryptionSetIdentity(type="SystemAssigned"),
            tags=tags,
        )
        disk_grant = self._grant_key(
            "disk-encryption-set-key-user", encryption_set.identity.principal_id, "managed disks"
        )
        self.disk_encryption = DiskEncryption(disk_encryption_set_id=encryption_set.id, ready=[disk_grant])
        if diagnostics is not None:
            send_diagnostics(self, "vault-diagnostics", target_resource_id=self.vault.id, to=diagnostics)

    def _grant_key(self, construct_id: str, principal_id: str, purpose: str) -> RoleAssignment:
        return RoleAssignment(
            self,
            construct_id,
            scope=self.key.resource_versionless_id,
            role_definition_name=CRYPTO_SERVICE_USER,
            principal_id=principal_id,
            principal_type="ServicePrincipal",
            description=f"gpulab: {purpose} wrap and unwrap their data keys with the platform key",
        )
