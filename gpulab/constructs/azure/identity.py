"""AzureBlobAccess: data-plane roles for managed identities, scoped to the containers they use."""

from __future__ import annotations

from collections.abc import Mapping

from cdktf_cdktf_provider_azurerm.role_assignment import RoleAssignment
from constructs import Construct

BLOB_DATA_CONTRIBUTOR = "Storage Blob Data Contributor"
BLOB_DATA_READER = "Storage Blob Data Reader"


class AzureBlobAccess(Construct):
    """Grant each principal `role` on the listed containers of one storage account, and nothing wider.

    principal_ids: label → principal id, usually a VM's system-assigned
    identity. container_ids: container name → its resource id (what
    `AzureStorage.container_ids` holds); each principal gets the role on
    each of them, so other containers of the account, such as the one Network
    Watcher writes flow logs to, stay out of the machines' reach. Without
    container_ids the scope is the whole account (never the resource group or
    the subscription). Storage Blob Data Contributor (the default) reads,
    writes and deletes blobs but cannot change the account or its firewall.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        storage_account_id: str,
        principal_ids: Mapping[str, str],
        container_ids: Mapping[str, str] | None = None,
        role: str = BLOB_DATA_CONTRIBUTOR,
    ) -> None:
        if role not in (BLOB_DATA_CONTRIBUTOR, BLOB_DATA_READER):
            raise ValueError(f"role must be {BLOB_DATA_CONTRIBUTOR!r} or {BLOB_DATA_READER!r}, got {role!r}")
        super().__init__(scope, id)
        scopes = dict(container_ids) if container_ids is not None else {"account": storage_account_id}
        self.assignment_ids: dict[str, str] = {}
        for label, principal_id in principal_ids.items():
            for target, target_id in scopes.items():
                key = label if container_ids is None else f"{label}-{target}"
                assignment = RoleAssignment(
                    self,
                    key,
                    scope=target_id,
                    role_definition_name=role,
                    principal_id=principal_id,
                    principal_type="ServicePrincipal",
                    description=f"gpulab: {label} reads and writes the blobs of {target}",
                )
                self.assignment_ids[key] = assignment.id
