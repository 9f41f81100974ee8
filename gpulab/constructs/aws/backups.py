"""AwsDiskBackups: daily EBS snapshots of the platform's data volumes, by Amazon Data Lifecycle Manager."""

from __future__ import annotations

from collections.abc import Mapping

from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from cdktf_cdktf_provider_aws.dlm_lifecycle_policy import (
    DlmLifecyclePolicy,
    DlmLifecyclePolicyPolicyDetails,
    DlmLifecyclePolicyPolicyDetailsSchedule,
    DlmLifecyclePolicyPolicyDetailsScheduleCreateRule,
    DlmLifecyclePolicyPolicyDetailsScheduleRetainRule,
)
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from gpulab import defaults
from gpulab.constructs.aws.policy import assume_role_document, document, statement
from gpulab.rules import limits, names
from gpulab.rules.values import require, within
from gpulab.time_of_day import hours_and_minutes

# The AWS-managed policy DLM's own default role carries: create, tag and delete snapshots of EBS volumes
# (Amazon EBS User Guide, "AWS managed policies for Amazon Data Lifecycle Manager").
DLM_MANAGED_POLICY = "service-role/AWSDataLifecycleManagerServiceRole"


class AwsDiskBackups(Construct):
    """A Data Lifecycle Manager policy that snapshots every EBS volume tagged `target_tags` once a day.

    Snapshots start at `daily_at` (UTC) and each is deleted `retention_days`
    after it was taken; they carry the volume's tags. A snapshot outlives its
    volume, which `prevent_destroy` cannot promise: it protects against a
    deletion outside Terraform, a broken disk or a bad write. With
    `kms_key_arn` (the key the volumes are encrypted with) DLM's role may use
    that key for the snapshots. Public attributes: `policy_id`, `role_arn`.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        target_tags: Mapping[str, str],
        retention_days: int = defaults.BACKUP_RETENTION_DAYS,
        daily_at: str = defaults.BACKUP_AT,
        kms_key_arn: str | None = None,
    ) -> None:
        """
        name: prefix of the role (`<name>-snapshots`) and the policy's description.
        target_tags: the tags that select the volumes (all of them must match).
        retention_days: how long a snapshot is kept (1 to 365, 7 by default).
        daily_at: "HH:MM" in UTC when the daily snapshots start (03:00 by default).
        kms_key_arn: the customer-managed key the volumes use; none by default.
        """
        require("name", f"{name}-snapshots", names.iam_name_problem)
        require("retention_days", retention_days, within(limits.BACKUP_RETENTION_DAYS))
        hours_and_minutes(daily_at, "daily_at")
        if not target_tags:
            raise ValueError("target_tags: give at least one tag, or every volume of the account would be snapshotted")
        super().__init__(scope, id)
        account = DataAwsCallerIdentity(self, "account")
        partition = DataAwsPartition(self, "partition")
        trust = assume_role_document(self, "trust", service="dlm.amazonaws.com", source_account=account.account_id)
        role = IamRole(self, "role", name=f"{name}-snapshots", assume_role_policy=trust.json)
        IamRolePolicyAttachment(
            self,
            "managed-policy",
            role=role.name,
            policy_arn=f"arn:{partition.partition}:iam::aws:policy/{DLM_MANAGED_POLICY}",
        )
        if kms_key_arn:
            key_use = document(
                self,
                "key-use",
                [
                    statement(
                        "SnapshotEncryptedVolumes",
                        ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*"],
                        [kms_key_arn],
                    ),
                    statement(
                        "LetEbsHoldAGrant",
                        ["kms:CreateGrant"],
                        [kms_key_arn],
                        conditions=[("Bool", "kms:GrantIsForAWSResource", ["true"])],
                    ),
                ],
            )
            IamRolePolicy(self, "key-policy", role=role.id, name="use-platform-key", policy=key_use.json)
        policy = DlmLifecyclePolicy(
            self,
            "policy",
            description=f"gpulab {name}: daily snapshots of the data volumes"[:500],
            execution_role_arn=role.arn,
            state="ENABLED",
            policy_details=DlmLifecyclePolicyPolicyDetails(
                resource_types=["VOLUME"],
                target_tags=dict(target_tags),
                schedule=[
                    DlmLifecyclePolicyPolicyDetailsSchedule(
                        name="daily",
                        copy_tags=True,
                        create_rule=DlmLifecyclePolicyPolicyDetailsScheduleCreateRule(
                            interval=24, interval_unit="HOURS", times=[daily_at]
                        ),
                        retain_rule=DlmLifecyclePolicyPolicyDetailsScheduleRetainRule(
                            interval=retention_days, interval_unit="DAYS"
                        ),
                    )
                ],
            ),
        )
        self.policy_id: str = policy.id
        self.role_arn: str = role.arn
