"""GcpFleetIdentity: the workers' own service account, with only the roles it needs."""

from __future__ import annotations

from collections.abc import Sequence

from cdktf_cdktf_provider_google.project_iam_member import ProjectIamMember
from cdktf_cdktf_provider_google.service_account import ServiceAccount
from cdktf_cdktf_provider_google.storage_bucket_iam_member import StorageBucketIamMember
from constructs import Construct

from gpulab.rules import names
from gpulab.rules.values import require

# Write-only roles the Ops Agent needs; they have no bucket- or instance-level form.
AGENT_ROLES = ("roles/logging.logWriter", "roles/monitoring.metricWriter")
BUCKET_ROLE = "roles/storage.objectUser"


class GcpFleetIdentity(Construct):
    """A dedicated service account (never the default compute one) and its grants.

    On each of `bucket_names`: Storage Object User (read, write, delete
    objects; no IAM or bucket settings), granted on the bucket, not the
    project. On the project: only the Ops Agent's write-only log and metric
    roles.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        account_id: str,
        project: str,
        bucket_names: Sequence[str] = (),
        display_name: str = "gpulab workers",
    ) -> None:
        """account_id: 6-30 lowercase letters, digits and hyphens, starting with a letter."""
        require("account_id", account_id, names.service_account_id_problem)
        super().__init__(scope, id)
        self.account = ServiceAccount(
            self,
            "account",
            account_id=account_id,
            project=project,
            display_name=display_name,
            description="gpulab: the identity of one GPU fleet's machines",
        )
        self.email: str = self.account.email
        self.member: str = self.account.member
        for role in AGENT_ROLES:
            ProjectIamMember(self, role.split("/")[1], project=project, role=role, member=self.member)
        for index, bucket in enumerate(bucket_names):
            StorageBucketIamMember(self, f"bucket-{index}", bucket=bucket, role=BUCKET_ROLE, member=self.member)
