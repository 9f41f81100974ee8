"""Azure constructs: network, headquarters and GPU VMs, storage, key vault, identity and monitoring.

    from gpulab.constructs.azure import AzureNetwork, AzureGpuVm, AzureStorage, ContainerSpec

The provider bindings they use load lazily after `gpulab.enable_fast_loading()` (docs/library.md).
"""

from gpulab.constructs.azure.backups import AzureDiskBackups
from gpulab.constructs.azure.diagnostics import LogAnalyticsTarget, send_diagnostics
from gpulab.constructs.azure.gpu_vm import AzureGpuVm
from gpulab.constructs.azure.headquarters import AzureHeadquarters
from gpulab.constructs.azure.identity import AzureBlobAccess
from gpulab.constructs.azure.key_vault import AzureKeyVault
from gpulab.constructs.azure.linux_vm import AzureLinuxVm, DiskEncryption, Image, Spot
from gpulab.constructs.azure.monitoring import AzureMonitoring
from gpulab.constructs.azure.network import AzureNetwork, FlowLogTarget
from gpulab.constructs.azure.storage import AzureStorage, ContainerSpec, CustomerManagedKey
from gpulab.constructs.public_keys import public_key_from

__all__ = [
    "AzureBlobAccess",
    "AzureDiskBackups",
    "AzureGpuVm",
    "AzureHeadquarters",
    "AzureKeyVault",
    "AzureLinuxVm",
    "AzureMonitoring",
    "AzureNetwork",
    "AzureStorage",
    "ContainerSpec",
    "CustomerManagedKey",
    "DiskEncryption",
    "FlowLogTarget",
    "Image",
    "LogAnalyticsTarget",
    "Spot",
    "public_key_from",
    "send_diagnostics",
]
