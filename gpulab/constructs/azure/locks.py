"""Azure management locks: what `prevent_destroy` cannot do, stopping a deletion made outside Terraform."""

from __future__ import annotations

from cdktf_cdktf_provider_azurerm.management_lock import ManagementLock
from constructs import Construct

CAN_NOT_DELETE = "CanNotDelete"


def lock_against_deletion(scope: Construct, id: str, *, resource_id: str, what: str) -> ManagementLock:
    """A CanNotDelete lock on `resource_id`: the portal, the CLI and Terraform alike must remove it first.

    The resource can still be read and changed; only its deletion is refused
    (Azure docs, "Lock your resources to protect your infrastructure").
    """
    return ManagementLock(
        scope,
        id,
        name=f"gpulab-protect-{id}",
        scope=resource_id,
        lock_level=CAN_NOT_DELETE,
        notes=f"gpulab protect_data: {what} holds data; remove this lock deliberately before deleting it",
    )
