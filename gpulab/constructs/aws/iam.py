"""AwsInstanceRole: the least-privilege identity of a platform's machines."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from cdktf_cdktf_provider_aws.iam_instance_profile import IamInstanceProfile
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from gpulab.constructs.aws.policy import assume_role_document, document, statement
from gpulab.rules import names
from gpulab.rules.values import require

SSM_CORE_POLICY = "AmazonSSMManagedInstanceCore"


class AwsInstanceRole(Construct):
    """An EC2 role and instance profile with exactly what the machines need.

    * S3: list the platform's buckets, read/write/delete objects in them: no other bucket.
    * CloudWatch Logs: write to the platform's log groups only.
    * CloudWatch metrics: PutMetricData only into the platform's namespace.
    * EC2: the describe calls the CloudWatch agent uses for its dimensions
      (describe actions do not support resource scoping).
    * KMS: use the platform key, when there is one.
    * SSM Session Manager: the AWS-managed AmazonSSMManagedInstanceCore policy.

    Public attributes: `role_name`, `role_arn`, `instance_profile_name`.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        bucket_arns: list[str],
        log_group_arns: list[str],
        metric_namespace: str,
        kms_key_arn: str | None = None,
    ) -> None:
        """Create the role.

        name: role and instance-profile name (1-64 letters, digits and +=,.@_-).
        bucket_arns: the buckets the machines may read and write.
        log_group_arns: the log groups the machines may write to.
        metric_namespace: the only CloudWatch namespace they may publish to.
        kms_key_arn: a key the machines may encrypt and decrypt with (for
            SSE-KMS buckets); none by default.
        """
        require("name", name, names.iam_name_problem)
        super().__init__(scope, id)
        account = DataAwsCallerIdentity(self, "account")
        partition = DataAwsPartition(self, "partition")
        trust = assume_role_document(self, "trust", service="ec2.amazonaws.com", source_account=account.account_id)
        role = IamRole(self, "role", name=name, assume_role_policy=trust.json)
        statements = []
        if bucket_arns:
            statements += [
                statement("ListPlatformBuckets", ["s3:ListBucket", "s3:GetBucketLocation"], bucket_arns),
                statement(
                    "ReadWritePlatformObjects",
                    ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
                    [f"{arn}/*" for arn in bucket_arns],
                ),
            ]
        if log_group_arns:
            statements.append(
                statement(
                    "WritePlatformLogs",
                    ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    [f"{arn}:*" for arn in log_group_arns],
                )
            )
        statements += [
            statement(
                "PublishPlatformMetrics",
                ["cloudwatch:PutMetricData"],
                ["*"],
                conditions=[("StringEquals", "cloudwatch:namespace", [metric_namespace])],
            ),
            statement(
                "DescribeOwnInstance", ["ec2:DescribeInstances", "ec2:DescribeTags", "ec2:DescribeVolumes"], ["*"]
            ),
        ]
        if kms_key_arn:
            statements.append(
                statement("UsePlatformKey", ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], [kms_key_arn])
            )
        policy = document(self, "policy-doc", statements)
        IamRolePolicy(self, "policy", name="gpulab-least-privilege", role=role.id, policy=policy.json)
        IamRolePolicyAttachment(
            self,
            "ssm-core",
            role=role.name,
            policy_arn=f"arn:{partition.partition}:iam::aws:policy/{SSM_CORE_POLICY}",
        )
        profile = IamInstanceProfile(self, "profile", name=name, role=role.name)
        self.role_name = role.name
        self.role_arn = role.arn
        self.instance_profile_name = profile.name
