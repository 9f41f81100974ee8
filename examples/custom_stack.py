"""A user's own CDKTF stack built from gpulab's AWS constructs, with no YAML.

Run it with `.venv/bin/python examples/custom_stack.py [OUTDIR]`; it writes
OUTDIR/stacks/research-sandbox/cdk.tf.json (default OUTDIR: cdktf.out.example).
"""

from __future__ import annotations

import sys

import gpulab

gpulab.enable_fast_loading()  # before cdktf is imported: the provider bindings load lazily

from cdktf import App, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue
from constructs import Construct

from gpulab.constructs.aws import AwsBuckets, AwsGpuVm, AwsInstanceRole, AwsNetwork, BucketSpec


class ResearchSandbox(TerraformStack):
    """One L4 machine in a small VPC, a scratch bucket, and a job queue of our own."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        AwsProvider(self, "aws", region="eu-west-1")
        network = AwsNetwork(self, "net", name="sandbox", cidr="10.42.0.0/20", availability_zones=["eu-west-1a"])
        buckets = AwsBuckets(self, "data", buckets=[BucketSpec(name="sandbox-scratch-0042", key="scratch")])
        role = AwsInstanceRole(
            self,
            "role",
            name="sandbox-machine",
            bucket_arns=list(buckets.bucket_arns.values()),
            log_group_arns=[],
            metric_namespace="sandbox",
        )
        vm = AwsGpuVm(
            self,
            "l4",
            name="sandbox-l4",
            vpc_id=network.vpc_id,
            subnet_id=network.private_subnet_ids[0],
            availability_zone=network.zone_names[0],
            instance_type="g6.xlarge",
            instance_profile_name=role.instance_profile_name,
            metric_namespace="sandbox",
            spot=True,
        )
        queue = SqsQueue(self, "jobs", name="sandbox-jobs", sqs_managed_sse_enabled=True)
        TerraformOutput(self, "machine", value=vm.instance_id)
        TerraformOutput(self, "queue", value=queue.url)


def main(outdir: str = "cdktf.out.example") -> None:
    app = App(outdir=outdir)
    ResearchSandbox(app, "research-sandbox")
    app.synth()


if __name__ == "__main__":
    main(*sys.argv[1:2])
