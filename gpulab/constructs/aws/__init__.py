"""AWS constructs: network, GPU VM, buckets, IAM, KMS and monitoring.

    from gpulab.constructs.aws import AwsNetwork, AwsGpuVm, AwsBuckets, BucketSpec

Importing this package registers the AWS provider bindings for lazy loading
(see gpulab.providers.fast_import) before any of them is imported.
"""

from gpulab.providers import lazy_package

lazy_package("cdktf_cdktf_provider_aws")

from gpulab.constructs.aws.buckets import AwsBuckets, BucketSpec  # noqa: E402
from gpulab.constructs.aws.gpu_vm import AwsGpuVm  # noqa: E402
from gpulab.constructs.aws.iam import AwsInstanceRole  # noqa: E402
from gpulab.constructs.aws.kms import AwsKmsKey  # noqa: E402
from gpulab.constructs.aws.monitoring import AwsMonitoring  # noqa: E402
from gpulab.constructs.aws.network import AwsNetwork, derive_subnet_cidrs  # noqa: E402

__all__ = [
    "AwsBuckets",
    "AwsGpuVm",
    "AwsInstanceRole",
    "AwsKmsKey",
    "AwsMonitoring",
    "AwsNetwork",
    "BucketSpec",
    "derive_subnet_cidrs",
]
