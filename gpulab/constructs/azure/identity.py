"""AzureBlobAccess: data-plane roles for managed identities, scoped to one storage account."""

from __future__ import annotations

from collections.abc import Mapping

from cdktf_cdktf_provider_azurerm.role_assignment import RoleAssignment
from constructs import Construct

BLOB_DATA_CONTRIBUTOR = "Storage Blob Data Contributor"
BLOB_DATA_READER = "Storage Blob Data Reader"


class AzureBlobAccess(Construct):
    """Grant each principal `role` on one storage account, and nothing wider.

    principal_ids: label → principal id, usually a VM's system-assigned
    identity. The scope is the account, never the resource group or the
    subscription; Storage Blob Data Contributor (the default) reads, writes
    and deletes blobs but cannot change the account or its firewall.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        storage_account_id: str,
        principal_ids: Mapping[str, str],
        role: str = BLOB_DATA_CONTRIBUTOR,
    ) -> None:
        super().__init__(scope, id)
        if role not in (BLOB_DATA_CONTRIBUTOR, BLOB_DATA_READER):
            raise ValueError(f"role must be {BLOB_DATA_CONTRIBUTOR!r} or {BLOB_DATA_READER!r}, got {role!r}")
        self.assignment_ids: dict[str, str] = {}
        for label, principal_id in principal_ids.items():
            assignment = RoleAssignment(
                self,
                label,
                scope=storage_account_id,
                role_definition_name=role,
                principal_id=principal_id,
                principal_type="ServicePrincipal",
                description=f"gpulab: {label} reads and writes the platform's blobs",
            )
            self.assignment_ids[label] = assignment.id
