"""AzureStorage: one locked-down storage account with a blob container per data set."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf import ITerraformDependable, TerraformResourceLifecycle
from cdktf_cdktf_provider_azurerm.storage_account import (
    StorageAccount,
    StorageAccountBlobProperties,
    StorageAccountBlobPropertiesContainerDeleteRetentionPolicy,
    StorageAccountBlobPropertiesDeleteRetentionPolicy,
    StorageAccountCustomerManagedKey,
    StorageAccountIdentity,
    StorageAccountNetworkRules,
    StorageAccountSasPolicy,
)
from cdktf_cdktf_provider_azurerm.storage_container import StorageContainer
from cdktf_cdktf_provider_azurerm.storage_management_policy import (
    StorageManagementPolicy,
    StorageManagementPolicyRule,
    StorageManagementPolicyRuleActions,
    StorageManagementPolicyRuleActionsBaseBlob,
    StorageManagementPolicyRuleActionsVersion,
    StorageManagementPolicyRuleFilters,
)
from constructs import Construct

from gpulab import defaults
from gpulab.constructs.azure.diagnostics import LogAnalyticsTarget, send_diagnostics
from gpulab.constructs.azure.locks import lock_against_deletion
from gpulab.constructs.bucket_specs import check_bucket_specs
from gpulab.rules import addresses, names
from gpulab.rules.addresses import storage_ip_rules
from gpulab.rules.values import require, require_each, within

DEFAULT_SOFT_DELETE_DAYS = 30
SOFT_DELETE_DAYS = (1, 365)  # azurerm storage_account delete_retention_policy.days


@dataclass(frozen=True)
class ContainerSpec:
    """One blob container and its lifecycle.

    cool_after_days / archive_after_days: move blobs not modified for that
    long to the cool / archive tier (None: never). noncurrent_expire_days:
    delete old versions that long after they were replaced;
    archive_noncurrent_after_days: move them to the archive tier first (None: never).
    """

    name: str
    cool_after_days: int | None = None
    archive_after_days: int | None = defaults.ARCHIVE_AFTER_DAYS
    noncurrent_expire_days: int = defaults.NONCURRENT_EXPIRE_DAYS
    archive_noncurrent_after_days: int | None = None


@dataclass(frozen=True)
class CustomerManagedKey:
    """A Key Vault key, the user-assigned identity allowed to use it, and that grant.

    ready: what must exist before the account can use the key (the
    identity's role assignment on it).
    """

    key_id: str
    identity_id: str
    ready: Sequence[ITerraformDependable] = ()


class AzureStorage(Construct):
    """A storage account that only Entra ID identities on listed subnets can reach.

    Secure by default: HTTPS only, TLS 1.2, no anonymous blob access, no
    shared keys (access goes through Entra ID role assignments), no local
    users or SFTP, copies only within the tenant, SAS tokens expiring after a
    day, infrastructure (double) encryption, blob versioning, soft delete of
    blobs and containers for `soft_delete_days`, and a firewall that admits
    only `allowed_subnet_ids` (and Azure's trusted services, which write logs)
    and, where given, the public ranges `allowed_cidrs`. With
    `customer_managed_key` the data is encrypted with that key.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        resource_group_name: str,
        location: str,
        containers: Sequence[ContainerSpec] = (),
        replication: str = "LRS",
        soft_delete_days: int = DEFAULT_SOFT_DELETE_DAYS,
        allowed_subnet_ids: Sequence[str] = (),
        allowed_cidrs: Sequence[str] = (),
        customer_managed_key: CustomerManagedKey | None = None,
        diagnostics: LogAnalyticsTarget | None = None,
        protect: bool = False,
        tags: dict[str, str] | None = None,
    ) -> None:
        """
        name: the account name, 3-24 lowercase letters and digits, unique in Azure.
        replication: LRS (default), ZRS, GRS, GZRS, RAGRS or RAGZRS; the
            archive tier is not offered on ZRS, GZRS and RAGZRS.
        containers: 3-63 lowercase letters, digits and single hyphens each, every name once.
        soft_delete_days: how long deleted blobs and containers stay restorable (1 to 365, 30 by default).
        allowed_cidrs: public IPv4 ranges admitted besides the subnets (an
            office, a runner handing over jobs); none by default. /31 and /32
            become their addresses, as the service requires.
        diagnostics: send the blob service's reads, writes and deletes to Log Analytics.
        protect: Terraform refuses to destroy the account (`prevent_destroy`), and a
            CanNotDelete management lock refuses its deletion from anywhere else.
        """
        require("name", name, names.storage_account_problem)
        require("replication", replication, names.replication_problem)
        check_bucket_specs(containers, names.container_problem, "containers")
        require("soft_delete_days", soft_delete_days, within(SOFT_DELETE_DAYS))
        require_each("allowed_cidrs", allowed_cidrs, addresses.public_cidr_problem)
        if replication in defaults.AZURE_NO_ARCHIVE_REPLICATION:
            archived = [c.name for c in containers if c.archive_after_days or c.archive_noncurrent_after_days]
            if archived:
                raise ValueError(
                    f"replication {replication} offers no archive tier, but containers {archived} archive "
                    "(use LRS, GRS or RAGRS, or set archive_after_days and archive_noncurrent_after_days to None)"
                )
        super().__init__(scope, id)
        retention = StorageAccountBlobPropertiesDeleteRetentionPolicy(days=soft_delete_days)
        self.account = StorageAccount(
            self,
            "account",
            name=name,
            resource_group_name=resource_group_name,
            location=location,
            account_kind="StorageV2",
            account_tier="Standard",
            account_replication_type=replication,
            access_tier="Hot",
            https_traffic_only_enabled=True,
            min_tls_version="TLS1_2",
            allow_nested_items_to_be_public=False,
            shared_access_key_enabled=False,
            default_to_oauth_authentication=True,
            local_user_enabled=False,
            sftp_enabled=False,
            cross_tenant_replication_enabled=False,
            allowed_copy_scope="AAD",
            infrastructure_encryption_enabled=True,
            sas_policy=StorageAccountSasPolicy(expiration_period="01.00:00:00", expiration_action="Log"),
            blob_properties=StorageAccountBlobProperties(
                versioning_enabled=True,
                change_feed_enabled=True,
                delete_retention_policy=retention,
                container_delete_retention_policy=StorageAccountBlobPropertiesContainerDeleteRetentionPolicy(
                    days=soft_delete_days
                ),
            ),
            network_rules=StorageAccountNetworkRules(
                default_action="Deny",
                bypass=["AzureServices", "Logging", "Metrics"],
                virtual_network_subnet_ids=list(allowed_subnet_ids),
                ip_rules=storage_ip_rules(allowed_cidrs) or None,
            ),
            identity=(
                StorageAccountIdentity(type="UserAssigned", identity_ids=[customer_managed_key.identity_id])
                if customer_managed_key
                else None
            ),
            customer_managed_key=(
                StorageAccountCustomerManagedKey(
                    key_vault_key_id=customer_managed_key.key_id,
                    user_assigned_identity_id=customer_managed_key.identity_id,
                )
                if customer_managed_key
                else None
            ),
            depends_on=list(customer_managed_key.ready) if customer_managed_key else None,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True) if protect else None,
            tags=tags or {},
        )
        self.account_id: str = self.account.id
        if protect:
            lock_against_deletion(self, "account-lock", resource_id=self.account_id, what="the storage account")
        self.account_name: str = self.account.name
        self.blob_endpoint: str = self.account.primary_blob_endpoint
        self.container_ids: dict[str, str] = {}
        for spec in containers:
            container = StorageContainer(
                self,
                f"container-{spec.name}",
                name=spec.name,
                storage_account_id=self.account_id,
                container_access_type="private",
            )
            self.container_ids[spec.name] = container.id
        rules = [_lifecycle_rule(spec) for spec in containers]
        if rules:
            StorageManagementPolicy(self, "lifecycle", storage_account_id=self.account_id, rule=rules)
        if diagnostics is not None:
            send_diagnostics(
                self,
                "blob-diagnostics",
                target_resource_id=f"{self.account_id}/blobServices/default",
                to=diagnostics,
            )


def _lifecycle_rule(spec: ContainerSpec) -> StorageManagementPolicyRule:
    base = StorageManagementPolicyRuleActionsBaseBlob(
        tier_to_cool_after_days_since_modification_greater_than=spec.cool_after_days,
        tier_to_archive_after_days_since_modification_greater_than=spec.archive_after_days,
    )
    return StorageManagementPolicyRule(
        name=f"{spec.name}-tiers",
        enabled=True,
        filters=StorageManagementPolicyRuleFilters(blob_types=["blockBlob"], prefix_match=[f"{spec.name}/"]),
        actions=StorageManagementPolicyRuleActions(
            base_blob=base if spec.cool_after_days or spec.archive_after_days else None,
            version=StorageManagementPolicyRuleActionsVersion(
                change_tier_to_archive_after_days_since_creation=spec.archive_noncurrent_after_days,
                delete_after_days_since_creation=spec.noncurrent_expire_days,
            ),
        ),
    )
