"""GcpBuckets: Cloud Storage buckets that are private, versioned and tiered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf import ITerraformDependable, TerraformResourceLifecycle
from cdktf_cdktf_provider_google.storage_bucket import (
    StorageBucket,
    StorageBucketEncryption,
    StorageBucketLifecycleRule,
    StorageBucketLifecycleRuleAction,
    StorageBucketLifecycleRuleCondition,
    StorageBucketLogging,
    StorageBucketSoftDeletePolicy,
    StorageBucketVersioning,
)
from cdktf_cdktf_provider_google.storage_bucket_iam_member import StorageBucketIamMember
from constructs import Construct

from gpulab import defaults
from gpulab.constructs.bucket_specs import check_bucket_specs
from gpulab.rules import names
from gpulab.rules.values import require, within

DEFAULT_SOFT_DELETE_DAYS = 7
# Cloud Storage delivers usage logs as this group, which must be able to create objects in the log bucket
# (Cloud Storage docs, "Usage logs & storage logs", Set up log delivery).
LOG_WRITER = "group:cloud-storage-analytics@google.com"
LOG_WRITER_ROLE = "roles/storage.objectCreator"
# Cloud Storage soft delete: a retention of 7 to 90 days, or none (google_storage_bucket soft_delete_policy docs).
SOFT_DELETE_DAYS = (7, 90)


@dataclass(frozen=True)
class GcsBucketSpec:
    """One bucket and its lifecycle.

    name: the global bucket name. key: a short, stable label for ids and outputs.
    cool_after_days / archive_after_days: objects of that age move to NEARLINE /
    ARCHIVE (None: never). noncurrent_expire_days: replaced versions are
    deleted that long after; archive_noncurrent_after_days moves them to ARCHIVE
    first (None: never). abort_multipart_days: unfinished multipart
    uploads are aborted. access_logs: usage logs go to the shared log bucket.
    """

    name: str
    key: str
    cool_after_days: int | None = None
    archive_after_days: int | None = defaults.ARCHIVE_AFTER_DAYS
    noncurrent_expire_days: int = defaults.NONCURRENT_EXPIRE_DAYS
    abort_multipart_days: int = defaults.ABORT_MULTIPART_DAYS
    access_logs: bool = False
    archive_noncurrent_after_days: int | None = None


class GcpBuckets(Construct):
    """Buckets with uniform bucket-level access, public access prevention enforced and versioning.

    Nothing here can be made public: there are no ACLs (uniform access) and
    `allUsers` grants are refused (public access prevention). Deleted objects
    stay restorable for `soft_delete_days`. With `kms_key_id` objects are
    encrypted with that Cloud KMS key (Cloud Storage's service agent must be
    allowed to use it, see `GcpKmsKey`). With `protect`, Terraform refuses to
    destroy a bucket and never empties one. Buckets asking for access logs
    write them to one more bucket, `access_log_bucket_name`, itself private,
    where Cloud Storage's log delivery group may create objects and nothing more.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        buckets: Sequence[GcsBucketSpec],
        project: str,
        location: str,
        kms_key_id: str | None = None,
        protect: bool = False,
        soft_delete_days: int = DEFAULT_SOFT_DELETE_DAYS,
        access_log_bucket_name: str | None = None,
        wait_for: Sequence[ITerraformDependable] = (),
        labels: dict[str, str] | None = None,
    ) -> None:
        """
        buckets: each with a valid, globally unique name (3-63 lowercase
            letters, digits, hyphens and underscores; no goog prefix), every
            name and key once.
        soft_delete_days: how long deleted objects stay restorable (7 to 90, 7 by default).
        access_log_bucket_name: required when a bucket asks for access logs.
        wait_for: what must exist first, e.g. the key grants of `GcpKmsKey`.
        """
        check_bucket_specs(buckets, names.gcs_bucket_name_problem)
        require("soft_delete_days", soft_delete_days, within(SOFT_DELETE_DAYS))
        if any(b.access_logs for b in buckets):
            if not access_log_bucket_name:
                raise ValueError("access_log_bucket_name is required when a bucket asks for access_logs")
            require("access_log_bucket_name", access_log_bucket_name, names.gcs_bucket_name_problem)
        super().__init__(scope, id)
        self._common = {
            "project": project,
            "location": location,
            "uniform_bucket_level_access": True,
            "public_access_prevention": "enforced",
            "versioning": StorageBucketVersioning(enabled=True),
            "soft_delete_policy": StorageBucketSoftDeletePolicy(retention_duration_seconds=soft_delete_days * 86400),
            "encryption": StorageBucketEncryption(default_kms_key_name=kms_key_id) if kms_key_id else None,
            "force_destroy": not protect,
            "lifecycle": TerraformResourceLifecycle(prevent_destroy=True) if protect else None,
            "labels": labels or {},
            "depends_on": list(wait_for) or None,
        }
        log_bucket = None
        if any(b.access_logs for b in buckets):
            log_bucket = StorageBucket(
                self,
                "access-logs",
                name=access_log_bucket_name,
                lifecycle_rule=[_rule("Delete", age=defaults.NONCURRENT_EXPIRE_DAYS)],
                **self._common,
            )
            StorageBucketIamMember(
                self,
                "access-logs-writer",
                bucket=log_bucket.name,
                role=LOG_WRITER_ROLE,
                member=LOG_WRITER,
            )
        self.bucket_names: dict[str, str] = {}
        self.bucket_urls: dict[str, str] = {}
        for spec in buckets:
            bucket = StorageBucket(
                self,
                spec.key,
                name=spec.name,
                lifecycle_rule=_lifecycle(spec),
                logging=(
                    StorageBucketLogging(log_bucket=log_bucket.name, log_object_prefix=f"{spec.name}/")
                    if spec.access_logs and log_bucket
                    else None
                ),
                **self._common,
            )
            self.bucket_names[spec.key] = bucket.name
            self.bucket_urls[spec.key] = bucket.url


def _lifecycle(spec: GcsBucketSpec) -> list[StorageBucketLifecycleRule]:
    rules = []
    if spec.cool_after_days:
        rules.append(_rule("SetStorageClass", storage_class="NEARLINE", age=spec.cool_after_days))
    if spec.archive_after_days:
        rules.append(_rule("SetStorageClass", storage_class="ARCHIVE", age=spec.archive_after_days))
    if spec.archive_noncurrent_after_days:
        rules.append(
            _rule(
                "SetStorageClass",
                storage_class="ARCHIVE",
                days_since_noncurrent_time=spec.archive_noncurrent_after_days,
                with_state="ARCHIVED",
            )
        )
    rules.append(_rule("Delete", days_since_noncurrent_time=spec.noncurrent_expire_days, with_state="ARCHIVED"))
    rules.append(_rule("AbortIncompleteMultipartUpload", age=spec.abort_multipart_days))
    return rules


def _rule(action: str, *, storage_class: str | None = None, **condition) -> StorageBucketLifecycleRule:
    return StorageBucketLifecycleRule(
        action=StorageBucketLifecycleRuleAction(type=action, storage_class=storage_class),
        condition=StorageBucketLifecycleRuleCondition(**condition),
    )
