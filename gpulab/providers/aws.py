"""The AWS provider and Terraform state backend for a gpulab stack."""

from __future__ import annotations

from cdktf import LocalBackend, S3Backend, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags


def aws_provider(
    stack: TerraformStack, *, region: str, tags: dict[str, str], allowed_account_ids: list[str] | None = None
) -> AwsProvider:
    """The provider, tagging every resource it creates with `tags`.

    allowed_account_ids: when given, Terraform refuses to plan or apply with
    credentials of any other account, so a prod plan never runs against dev.
    """
    return AwsProvider(
        stack,
        "aws",
        region=region,
        default_tags=[AwsProviderDefaultTags(tags=tags)],
        allowed_account_ids=allowed_account_ids or None,
    )


def aws_backend(
    stack: TerraformStack,
    *,
    local_path: str,
    bucket: str | None = None,
    key: str | None = None,
    region: str | None = None,
) -> None:
    """Local state at `local_path`, or an encrypted S3 backend when `bucket` is set.

    The S3 backend locks with S3's native lock file (`use_lockfile`, Terraform
    ≥ 1.10), so no DynamoDB table is needed.
    """
    if bucket is None:
        LocalBackend(stack, path=local_path)
        return
    S3Backend(stack, bucket=bucket, key=key, region=region, encrypt=True)
    stack.add_override("terraform.backend.s3.use_lockfile", True)
