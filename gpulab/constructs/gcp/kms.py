"""GcpKmsKey: a Cloud KMS key that encrypts the fleet's disks and buckets."""

from __future__ import annotations

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_google.data_google_project import DataGoogleProject
from cdktf_cdktf_provider_google.data_google_storage_project_service_account import (
    DataGoogleStorageProjectServiceAccount,
)
from cdktf_cdktf_provider_google.kms_crypto_key import KmsCryptoKey, KmsCryptoKeyVersionTemplate
from cdktf_cdktf_provider_google.kms_crypto_key_iam_member import KmsCryptoKeyIamMember
from cdktf_cdktf_provider_google.kms_key_ring import KmsKeyRing
from constructs import Construct

from gpulab.rules import names
from gpulab.rules.values import require

ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
ROTATION_DAYS = 90


class GcpKmsKey(Construct):
    """A key ring and an HSM-protected symmetric key rotated every 90 days, in the fleet's region.

    Only Google's own service agents may use it: Compute Engine's (for the
    disks) and Cloud Storage's (for the buckets), each granted on this key
    alone; `grants` are what a disk or bucket using the key must wait for.
    Key rings cannot be deleted in Cloud KMS; with `protect`,
    Terraform also refuses to destroy the key (destroyed key versions are
    scheduled for deletion after 30 days).
    """

    def __init__(self, scope: Construct, id: str, *, name: str, project: str, location: str, protect: bool = False):
        require("name", f"{name}-key", names.key_ring_name_problem)
        super().__init__(scope, id)
        ring = KmsKeyRing(self, "ring", name=name, project=project, location=location)
        self.key = KmsCryptoKey(
            self,
            "key",
            name=f"{name}-key",
            key_ring=ring.id,
            purpose="ENCRYPT_DECRYPT",
            rotation_period=f"{ROTATION_DAYS * 86400}s",
            destroy_scheduled_duration=f"{30 * 86400}s",
            version_template=KmsCryptoKeyVersionTemplate(
                algorithm="GOOGLE_SYMMETRIC_ENCRYPTION", protection_level="HSM"
            ),
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True) if protect else None,
        )
        self.key_id: str = self.key.id
        number = DataGoogleProject(self, "project", project_id=project).number
        storage_agent = DataGoogleStorageProjectServiceAccount(self, "storage-agent", project=project)
        agents = {
            "compute-agent": f"serviceAccount:service-{number}@compute-system.iam.gserviceaccount.com",
            "storage-agent": storage_agent.member,
        }
        self.grants: list[KmsCryptoKeyIamMember] = [
            KmsCryptoKeyIamMember(
                self, f"{agent_id}-may-use-key", crypto_key_id=self.key_id, role=ENCRYPTER_DECRYPTER, member=member
            )
            for agent_id, member in agents.items()
        ]
