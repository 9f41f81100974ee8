"""AwsKmsKey: one customer-managed key with rotation for a platform's data."""

from __future__ import annotations

import json

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from cdktf_cdktf_provider_aws.data_aws_region import DataAwsRegion
from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from constructs import Construct

from gpulab.rules import names
from gpulab.rules.values import require, within

DEFAULT_DELETION_WINDOW_DAYS = 30
DELETION_WINDOW_DAYS = (7, 30)  # KMS ScheduleKeyDeletion PendingWindowInDays
ALIAS_PREFIX = "alias/"


class AwsKmsKey(Construct):
    """A symmetric KMS key with yearly rotation and an alias.

    Its key policy lets the account administer it through IAM, CloudWatch Logs
    encrypt this account's log groups with it, and CloudWatch alarms publish to
    SNS topics encrypted with it (the AWS-managed aws/sns key cannot do that).
    Public attributes: `key_arn`, `key_id`, `alias_name`.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        alias: str,
        protect: bool = False,
        deletion_window_days: int = DEFAULT_DELETION_WINDOW_DAYS,
        s3_access_logs: bool = False,
    ) -> None:
        """Create the key.

        alias: the alias name, with or without the `alias/` prefix (letters,
            digits, /, _ and -; not under `aws/`, which AWS keeps for its own keys).
        protect: `prevent_destroy` on the key (data encrypted with a deleted key
            is lost for good); off by default.
        deletion_window_days: waiting period before a scheduled deletion, 7 to 30 (30).
        s3_access_logs: let S3's log delivery service (logging.s3.amazonaws.com)
            encrypt with the key, so an access-log bucket can use it; off by default.
        """
        alias_name = alias if isinstance(alias, str) and alias.startswith(ALIAS_PREFIX) else f"{ALIAS_PREFIX}{alias}"
        require("alias", alias_name, names.kms_alias_problem)
        require("deletion_window_days", deletion_window_days, within(DELETION_WINDOW_DAYS))
        super().__init__(scope, id)
        account = DataAwsCallerIdentity(self, "account")
        partition = DataAwsPartition(self, "partition")
        region = DataAwsRegion(self, "region")
        root = f"arn:{partition.partition}:iam::{account.account_id}:root"
        log_groups = f"arn:{partition.partition}:logs:{region.region}:{account.account_id}:log-group:*"
        # The key policy is written as JSON, not as a policy-document data
        # source: in a key policy "Resource": "*" means "this key", which
        # scanners reading data sources mistake for an account-wide grant.
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountAdministersThroughIam",
                    "Effect": "Allow",
                    "Principal": {"AWS": root},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "CloudWatchLogsEncryptsThisAccountsLogGroups",
                    "Effect": "Allow",
                    "Principal": {"Service": f"logs.{region.region}.amazonaws.com"},
                    "Action": [
                        "kms:Encrypt*",
                        "kms:Decrypt*",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:Describe*",
                    ],
                    "Resource": "*",
                    "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_groups}},
                },
                {
                    "Sid": "CloudWatchAlarmsPublishToEncryptedTopics",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account.account_id}},
                },
            ],
        }
        if s3_access_logs:
            # S3 server access logs reach an SSE-KMS bucket only when the key lets the log delivery service
            # use it; aws-cdk grants it the same way (aws-s3 Bucket.parseServerAccessLogs, grantEncryptDecrypt).
            policy["Statement"].append(
                {
                    "Sid": "S3LogDeliveryWritesEncryptedAccessLogs",
                    "Effect": "Allow",
                    "Principal": {"Service": "logging.s3.amazonaws.com"},
                    "Action": ["kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
                    "Resource": "*",
                }
            )
        key = KmsKey(
            self,
            "key",
            description=f"gpulab data key for {alias}",
            enable_key_rotation=True,
            deletion_window_in_days=deletion_window_days,
            policy=json.dumps(policy, sort_keys=True),
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True) if protect else None,
        )
        key_alias = KmsAlias(self, "alias", name=alias_name, target_key_id=key.key_id)
        self.key_arn = key.arn
        self.key_id = key.key_id
        self.alias_name = key_alias.name
