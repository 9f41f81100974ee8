"""Google Cloud constructs: network, GPU workers, stop schedule, buckets, identity, KMS and monitoring.

    from gpulab.constructs.gcp import GcpNetwork, GcpGpuVm, GcpBuckets, GcsBucketSpec

The provider bindings they use load lazily after `gpulab.enable_fast_loading()` (docs/library.md).
"""

from gpulab.constructs.gcp.backups import GcpSnapshotSchedule
from gpulab.constructs.gcp.buckets import GcpBuckets, GcsBucketSpec
from gpulab.constructs.gcp.gpu_vm import Accelerator, GcpGpuVm
from gpulab.constructs.gcp.identity import GcpFleetIdentity
from gpulab.constructs.gcp.kms import GcpKmsKey
from gpulab.constructs.gcp.monitoring import GcpMonitoring
from gpulab.constructs.gcp.network import IAP_RANGE, GcpNetwork
from gpulab.constructs.gcp.schedule import GcpScheduleAgentGrant, GcpStopSchedule

__all__ = [
    "IAP_RANGE",
    "Accelerator",
    "GcpBuckets",
    "GcpFleetIdentity",
    "GcpGpuVm",
    "GcpKmsKey",
    "GcpMonitoring",
    "GcpNetwork",
    "GcpScheduleAgentGrant",
    "GcpSnapshotSchedule",
    "GcpStopSchedule",
    "GcsBucketSpec",
]
