"""AWS constructs: network, GPU VM, buckets, disk backups, IAM, KMS and monitoring.

    from gpulab.constructs.aws import AwsNetwork, AwsGpuVm, AwsBuckets, BucketSpec

The provider bindings they use load lazily after `gpulab.enable_fast_loading()` (docs/library.md).
"""

from gpulab.constructs.aws.backups import AwsDiskBackups
from gpulab.constructs.aws.buckets import AwsBuckets, BucketSpec
from gpulab.constructs.aws.gpu_vm import AwsGpuVm
from gpulab.constructs.aws.iam import AwsInstanceRole
from gpulab.constructs.aws.kms import AwsKmsKey
from gpulab.constructs.aws.monitoring import AwsMonitoring
from gpulab.constructs.aws.network import AwsNetwork
from gpulab.netmath import derive_subnet_cidrs

__all__ = [
    "AwsBuckets",
    "AwsDiskBackups",
    "AwsGpuVm",
    "AwsInstanceRole",
    "AwsKmsKey",
    "AwsMonitoring",
    "AwsNetwork",
    "BucketSpec",
    "derive_subnet_cidrs",
]
