"""The blob container `gpulab run` hands jobs through on Azure (the environment's first bucket), as a
fleet.JobStore.

The storage account admits the VNet and `azure.storage_access_cidrs` only: `gpulab run` works from those
ranges, signed in with an identity that holds Storage Blob Data Contributor on the container.
GPULAB_AZURE_BLOB_ENDPOINT (with `{account}` in it) points the client elsewhere (the tests' Azurite).
"""

from __future__ import annotations

import os
from pathlib import Path

from gpulab.config import azure_names
from gpulab.config.model import Bucket, Environment
from gpulab.ops.azure_clients import EXTRA, call
from gpulab.ops.errors import OpsError


class JobBucket:
    def __init__(self, env: Environment, spec: Bucket) -> None:
        try:
            from azure.identity import DefaultAzureCredential
            from azure.storage.blob import ContainerClient
        except ImportError:
            raise OpsError(EXTRA) from None
        account = azure_names.storage_account_name(env)
        template = os.environ.get("GPULAB_AZURE_BLOB_ENDPOINT")
        account_url = template.format(account=account) if template else azure_names.blob_account_url(env)
        container = spec.name
        self.url = f"{account_url}/{container}"
        credential = DefaultAzureCredential(exclude_interactive_browser_credential=True)
        self._container = ContainerClient(account_url, container, credential=credential)

    def put(self, key: str, data: bytes) -> None:
        call(f"writing {self.url}/{key}", self._container.upload_blob, key, data, overwrite=True)

    def get(self, key: str) -> bytes | None:
        return call(f"reading {self.url}/{key}", self._get_if_there, key)

    def _get_if_there(self, key: str) -> bytes | None:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            return self._container.download_blob(key).readall()
        except ResourceNotFoundError:
            return None

    def keys(self, prefix: str) -> list[str]:
        return call(
            f"listing {self.url}/{prefix}",
            lambda: [b.name for b in self._container.list_blobs(name_starts_with=prefix)],
        )

    def download(self, key: str, path: Path) -> None:
        def fetch() -> None:
            with path.open("wb") as file:
                self._container.download_blob(key).readinto(file)

        call(f"downloading {self.url}/{key}", fetch)
