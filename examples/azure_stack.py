"""A user's own CDKTF stack built from gpulab's Azure constructs, with no YAML.

Run it with `.venv/bin/python examples/azure_stack.py [OUTDIR]`; it writes
OUTDIR/stacks/azure-sandbox/cdk.tf.json (default OUTDIR: cdktf.out.example).
"""

from __future__ import annotations

import sys

import gpulab

gpulab.enable_fast_loading()  # before cdktf is imported: the provider bindings load lazily

from cdktf import App, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_azurerm.provider import AzurermProvider, AzurermProviderFeatures
from cdktf_cdktf_provider_azurerm.resource_group import ResourceGroup
from constructs import Construct

from gpulab.constructs.azure import (
    AzureBlobAccess,
    AzureGpuVm,
    AzureNetwork,
    AzureStorage,
    ContainerSpec,
    Spot,
    public_key_from,
)


class AzureSandbox(TerraformStack):
    """One spot A100 VM in a small VNet, a scratch container it alone may write, in our own resource group."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        AzurermProvider(self, "azurerm", features=[AzurermProviderFeatures()])
        group = ResourceGroup(self, "group", name="rg-sandbox", location="swedencentral")
        place = {"resource_group_name": group.name, "location": group.location}
        network = AzureNetwork(self, "net", name="sandbox", cidr="10.42.0.0/20", zone_count=1, **place)
        storage = AzureStorage(
            self,
            "data",
            name="sandboxscratch0042",
            containers=[ContainerSpec("scratch", archive_after_days=None)],
            allowed_subnet_ids=network.private_subnet_ids,
            **place,
        )
        vm = AzureGpuVm(
            self,
            "a100",
            name="vm-sandbox-a100",
            subnet_id=network.private_subnet_ids[0],
            size="Standard_NC24ads_A100_v4",
            gpu=True,
            admin_username="researcher",
            ssh_public_keys=[public_key_from("~/.ssh/id_ed25519.pub")],
            spot=Spot(max_price=1.50),
            **place,
        )
        AzureBlobAccess(
            self,
            "access",
            storage_account_id=storage.account_id,
            principal_ids={"a100": vm.principal_id},
            container_ids=storage.container_ids,
        )
        TerraformOutput(self, "machine", value=vm.vm_id)


def main(outdir: str = "cdktf.out.example") -> None:
    app = App(outdir=outdir)
    AzureSandbox(app, "azure-sandbox")
    app.synth()


if __name__ == "__main__":
    main(*sys.argv[1:2])
