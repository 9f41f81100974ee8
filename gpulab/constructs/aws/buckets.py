"""AwsBuckets: private, encrypted, versioned S3 buckets for datasets and models.

Every bucket gets: server-side encryption (AES256, or a KMS key with bucket
keys), versioning, all four public-access-block flags, a TLS-only bucket
policy, BucketOwnerEnforced (ACLs off), a lifecycle (archive to Glacier after
N days, expire noncurrent versions, abort stale multipart uploads) and its
folder prefixes. Optionally one shared access-log bucket receives S3 server
access logs of the buckets that ask for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionTransition,
    S3BucketLifecycleConfigurationRuleTransition,
)
from cdktf_cdktf_provider_aws.s3_bucket_logging import S3BucketLoggingA
from cdktf_cdktf_provider_aws.s3_bucket_ownership_controls import (
    S3BucketOwnershipControls,
    S3BucketOwnershipControlsRule,
)
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from cdktf_cdktf_provider_aws.s3_bucket_versioning import (
    S3BucketVersioningA,
    S3BucketVersioningVersioningConfiguration,
)
from cdktf_cdktf_provider_aws.s3_object import S3Object
from constructs import Construct

from gpulab import defaults
from gpulab.constructs.aws.policy import document, statement
from gpulab.constructs.bucket_specs import check_bucket_specs
from gpulab.rules import names
from gpulab.rules.values import positive_problem, require

DEFAULT_ACCESS_LOG_EXPIRE_DAYS = 365


@dataclass(frozen=True)
class BucketSpec:
    """One bucket to create.

    name: the full, globally unique S3 name.
    key: a short name used in construct ids and outputs ("datasets").
    prefixes: folder markers to create ("raw/", "processed/", …); none by default.
    archive_after_days: move current objects to Glacier Flexible Retrieval after
        this many days (90 by default); None keeps them in Standard.
    noncurrent_expire_days: delete overwritten versions after this many days (90).
    archive_noncurrent_after_days: move overwritten versions to Glacier Flexible
        Retrieval this many days after they were replaced, before they expire;
        None (the default) keeps them in Standard.
    abort_multipart_days: abort unfinished multipart uploads after this many days (7).
    access_logs: send S3 server access logs to the shared access-log bucket.
    """

    name: str
    key: str
    prefixes: tuple[str, ...] = field(default_factory=tuple)
    archive_after_days: int | None = defaults.ARCHIVE_AFTER_DAYS
    noncurrent_expire_days: int = defaults.NONCURRENT_EXPIRE_DAYS
    abort_multipart_days: int = defaults.ABORT_MULTIPART_DAYS
    access_logs: bool = False
    archive_noncurrent_after_days: int | None = None


@dataclass(frozen=True)
class _BucketRefs:
    """A bucket's id and ARN, each read from the jsii kernel once (every read is a round trip)."""

    resource: S3Bucket
    id: str
    arn: str


class AwsBuckets(Construct):
    """A set of locked-down S3 buckets, and their access-log bucket if asked.

    Public attributes: `bucket_names`, `bucket_arns` and `bucket_ids` (dicts
    keyed by `BucketSpec.key`), and `access_log_bucket_name` (or None).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        buckets: list[BucketSpec],
        kms_key_arn: str | None = None,
        protect: bool = False,
        access_log_bucket_name: str | None = None,
        access_log_expire_days: int = DEFAULT_ACCESS_LOG_EXPIRE_DAYS,
    ) -> None:
        """Create the buckets.

        kms_key_arn: encrypt with this customer-managed key (SSE-KMS with S3
            bucket keys); by default SSE-S3 (AES256). The access-log bucket uses
            it too, so the key must let S3's log delivery service use it
            (`AwsKmsKey(s3_access_logs=True)`).
        protect: `prevent_destroy` on every bucket and no `force_destroy`, so
            neither Terraform nor a careless destroy can delete data. Off by
            default, which lets `terraform destroy` empty and remove buckets.
        access_log_bucket_name: the name of the access-log bucket; required when
            any spec asks for access logs.
        access_log_expire_days: how long access logs are kept (365 by default).
        """
        check_bucket_specs(buckets, names.s3_bucket_name_problem)
        wants_logs = [spec.key for spec in buckets if spec.access_logs]
        if wants_logs and not access_log_bucket_name:
            raise ValueError(f"access_log_bucket_name is required: {', '.join(wants_logs)} ask for access logs")
        if wants_logs:
            require("access_log_bucket_name", access_log_bucket_name, names.s3_bucket_name_problem)
            require("access_log_expire_days", access_log_expire_days, positive_problem)
        super().__init__(scope, id)
        self._protect = protect
        self._account = DataAwsCallerIdentity(self, "account") if wants_logs else None
        self.bucket_names: dict[str, str] = {}
        self.bucket_arns: dict[str, str] = {}
        self.bucket_ids: dict[str, str] = {}
        self.access_log_bucket_name: str | None = None

        log_bucket = None
        if wants_logs:
            log_bucket = self._locked_bucket("access-logs", access_log_bucket_name, kms_key_arn=kms_key_arn)
            self._lifecycle(
                "access-logs",
                log_bucket,
                archive_after_days=None,
                noncurrent_expire_days=30,
                abort_multipart_days=defaults.ABORT_MULTIPART_DAYS,
                expire_days=access_log_expire_days,
            )
            self._policy("access-logs", log_bucket, extra=[self._log_delivery_statement(log_bucket)])
            self.access_log_bucket_name = log_bucket.resource.bucket

        for spec in buckets:
            bucket = self._locked_bucket(spec.key, spec.name, kms_key_arn=kms_key_arn)
            self._policy(spec.key, bucket)
            self._lifecycle(
                spec.key,
                bucket,
                archive_after_days=spec.archive_after_days,
                noncurrent_expire_days=spec.noncurrent_expire_days,
                abort_multipart_days=spec.abort_multipart_days,
                archive_noncurrent_after_days=spec.archive_noncurrent_after_days,
            )
            if spec.access_logs and log_bucket is not None:
                S3BucketLoggingA(
                    self,
                    f"{spec.key}-logging",
                    bucket=bucket.id,
                    target_bucket=log_bucket.id,
                    target_prefix=f"{spec.name}/",
                )
            for prefix in spec.prefixes:
                S3Object(
                    self,
                    f"{spec.key}-prefix-{prefix.strip('/')}",
                    bucket=bucket.id,
                    key=prefix,
                    content="",
                )
            self.bucket_names[spec.key] = bucket.resource.bucket
            self.bucket_arns[spec.key] = bucket.arn
            self.bucket_ids[spec.key] = bucket.id

    def _locked_bucket(self, key: str, name: str, *, kms_key_arn: str | None) -> _BucketRefs:
        lifecycle = TerraformResourceLifecycle(prevent_destroy=True) if self._protect else None
        resource = S3Bucket(
            self,
            key,
            bucket=name,
            force_destroy=not self._protect,
            lifecycle=lifecycle,
            tags={"Name": name},
        )
        bucket = _BucketRefs(resource, resource.id, resource.arn)
        S3BucketPublicAccessBlock(
            self,
            f"{key}-public-access-block",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        S3BucketOwnershipControls(
            self,
            f"{key}-ownership",
            bucket=bucket.id,
            rule=S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
        )
        S3BucketVersioningA(
            self,
            f"{key}-versioning",
            bucket=bucket.id,
            versioning_configuration=S3BucketVersioningVersioningConfiguration(status="Enabled"),
        )
        by_default = (
            S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn
            )
            if kms_key_arn
            else S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                sse_algorithm="AES256"
            )
        )
        S3BucketServerSideEncryptionConfigurationA(
            self,
            f"{key}-encryption",
            bucket=bucket.id,
            rule=[
                S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=by_default,
                    bucket_key_enabled=True if kms_key_arn else None,
                )
            ],
        )
        return bucket

    def _policy(self, key: str, bucket: _BucketRefs, extra: list | None = None) -> None:
        objects = [bucket.arn, f"{bucket.arn}/*"]
        statements = [
            statement(
                "DenyInsecureTransport",
                ["s3:*"],
                objects,
                effect="Deny",
                principals={"*": ["*"]},
                conditions=[("Bool", "aws:SecureTransport", ["false"])],
            ),
            statement(
                "DenyOutdatedTls",
                ["s3:*"],
                objects,
                effect="Deny",
                principals={"*": ["*"]},
                conditions=[("NumericLessThan", "s3:TlsVersion", ["1.2"])],
            ),
            *(extra or []),
        ]
        policy = document(self, f"{key}-policy-doc", statements)
        S3BucketPolicy(self, f"{key}-policy", bucket=bucket.id, policy=policy.json)

    def _log_delivery_statement(self, log_bucket: _BucketRefs):
        assert self._account is not None
        return statement(
            "AllowS3ServerAccessLogDelivery",
            ["s3:PutObject"],
            [f"{log_bucket.arn}/*"],
            principals={"Service": ["logging.s3.amazonaws.com"]},
            conditions=[("StringEquals", "aws:SourceAccount", [self._account.account_id])],
        )

    def _lifecycle(
        self,
        key: str,
        bucket: _BucketRefs,
        *,
        archive_after_days: int | None,
        noncurrent_expire_days: int,
        abort_multipart_days: int,
        expire_days: int | None = None,
        archive_noncurrent_after_days: int | None = None,
    ) -> None:
        rule = S3BucketLifecycleConfigurationRule(
            id="gpulab-default",
            status="Enabled",
            filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
            transition=(
                [S3BucketLifecycleConfigurationRuleTransition(days=archive_after_days, storage_class="GLACIER")]
                if archive_after_days
                else None
            ),
            expiration=[S3BucketLifecycleConfigurationRuleExpiration(days=expire_days)] if expire_days else None,
            noncurrent_version_transition=(
                [
                    S3BucketLifecycleConfigurationRuleNoncurrentVersionTransition(
                        noncurrent_days=archive_noncurrent_after_days, storage_class="GLACIER"
                    )
                ]
                if archive_noncurrent_after_days
                else None
            ),
            noncurrent_version_expiration=[
                S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=noncurrent_expire_days)
            ],
            abort_incomplete_multipart_upload=[
                S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(
                    days_after_initiation=abort_multipart_days
                )
            ],
        )
        S3BucketLifecycleConfiguration(self, f"{key}-lifecycle", bucket=bucket.id, rule=[rule])
