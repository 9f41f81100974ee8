"""The google provider and Terraform state backend for a gpulab stack."""

from __future__ import annotations

from cdktf import GcsBackend, LocalBackend, TerraformStack
from cdktf_cdktf_provider_google.provider import GoogleProvider


def gcp_provider(stack: TerraformStack, *, project: str, region: str, labels: dict[str, str]) -> GoogleProvider:
    """The provider, working in `project` and labelling every resource that takes labels with `labels`."""
    return GoogleProvider(stack, "google", project=project, region=region, default_labels=labels)


def gcp_backend(
    stack: TerraformStack, *, local_path: str, bucket: str | None = None, prefix: str | None = None
) -> None:
    """Local state at `local_path`, or a GCS backend when `bucket` is set (GCS locks state objects itself)."""
    if bucket is None:
        LocalBackend(stack, path=local_path)
        return
    GcsBackend(stack, bucket=bucket, prefix=prefix)
