"""The azurerm provider and Terraform state backend for a gpulab stack."""

from __future__ import annotations

from cdktf import AzurermBackend, LocalBackend, TerraformStack
from cdktf_cdktf_provider_azurerm.provider import (
    AzurermProvider,
    AzurermProviderFeatures,
    AzurermProviderFeaturesKeyVault,
    AzurermProviderFeaturesResourceGroup,
)


def azure_provider(stack: TerraformStack, *, subscription_id: str | None = None) -> AzurermProvider:
    """The provider, with guard rails on destroy.

    subscription_id: when given, Terraform works in that subscription only;
    without it, the provider takes ARM_SUBSCRIPTION_ID or `az account show`.
    A resource group that still holds resources gpulab did not create is not
    deleted, and Key Vaults and keys are never purged on destroy (they stay
    recoverable for their soft-delete period).
    """
    return AzurermProvider(
        stack,
        "azurerm",
        subscription_id=subscription_id,
        storage_use_azuread=True,
        features=[
            AzurermProviderFeatures(
                resource_group=[AzurermProviderFeaturesResourceGroup(prevent_deletion_if_contains_resources=True)],
                key_vault=[
                    AzurermProviderFeaturesKeyVault(
                        purge_soft_delete_on_destroy=False, purge_soft_deleted_keys_on_destroy=False
                    )
                ],
            )
        ],
    )


def azure_backend(
    stack: TerraformStack,
    *,
    local_path: str,
    key: str,
    resource_group: str | None = None,
    storage_account: str | None = None,
    container: str | None = None,
) -> None:
    """Local state at `local_path`, or an azurerm backend when `storage_account` is set.

    The backend signs in with Entra ID (`use_azuread_auth`), so the state
    account needs no shared keys; blob leases lock the state.
    """
    if storage_account is None:
        LocalBackend(stack, path=local_path)
        return
    AzurermBackend(
        stack,
        resource_group_name=resource_group,
        storage_account_name=storage_account,
        container_name=container,
        key=key,
        use_azuread_auth=True,
    )
