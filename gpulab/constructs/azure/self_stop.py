"""AzureSelfDeallocate: let a VM deallocate itself, and nothing else.

An OS shutdown leaves an Azure VM allocated and billed; only a deallocation
through Azure Resource Manager ends the compute bill. gpulab's idle watchdog
(gpulab/agent/idle_watchdog.py) does it with the VM's own managed identity.
No built-in role is that narrow (Virtual Machine Contributor may also change
and delete the VM), so this makes one custom role per resource group,
`Microsoft.Compute/virtualMachines/read` and `…/deallocate/action` only, and
assigns it to each VM's identity at the scope of that VM alone: a VM can
stop itself, never another. Custom roles cannot be assigned to a single
resource as their scope of definition, so the role is defined at the
resource group and assignable there; each assignment is scoped to one VM.
"""

from __future__ import annotations

from cdktf_cdktf_provider_azurerm.role_assignment import RoleAssignment
from cdktf_cdktf_provider_azurerm.role_definition import RoleDefinition, RoleDefinitionPermissions
from constructs import Construct

DEALLOCATE_ACTIONS = ("Microsoft.Compute/virtualMachines/read", "Microsoft.Compute/virtualMachines/deallocate/action")


class AzureSelfDeallocate(Construct):
    """The custom role (in `resource_group_id`, named after `resource_group_name`) and one grant per VM."""

    def __init__(self, scope: Construct, id: str, *, resource_group_id: str, resource_group_name: str) -> None:
        super().__init__(scope, id)
        self.role = RoleDefinition(
            self,
            "role",
            name=f"gpulab VM self-deallocate ({resource_group_name})",  # unique in the tenant
            scope=resource_group_id,
            assignable_scopes=[resource_group_id],
            description="gpulab: a VM's identity may deallocate that VM (idle watchdog), nothing more",
            permissions=[RoleDefinitionPermissions(actions=list(DEALLOCATE_ACTIONS))],
        )

    def allow(self, label: str, *, vm_id: str, principal_id: str) -> RoleAssignment:
        """VM `vm_id`'s identity `principal_id` may deallocate that VM."""
        return RoleAssignment(
            self,
            f"{label}-deallocates-itself",
            scope=vm_id,
            role_definition_id=self.role.role_definition_resource_id,
            principal_id=principal_id,
            principal_type="ServicePrincipal",
            description=f"gpulab: {label} may deallocate itself when idle",
        )
