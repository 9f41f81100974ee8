"""The Cloud Storage bucket `gpulab run` hands jobs through, as a fleet.JobStore."""

from __future__ import annotations

from pathlib import Path

from gpulab.config.model import Bucket, Environment
from gpulab.ops.gcp_clients import call, storage_client


class JobBucket:
    def __init__(self, env: Environment, spec: Bucket) -> None:
        bucket = env.bucket_name(spec)
        self.url = f"gs://{bucket}"
        self._client = storage_client(env.gcp.project_id)
        self._bucket = self._client.bucket(bucket)

    def put(self, key: str, data: bytes) -> None:
        call(f"writing {self.url}/{key}", self._bucket.blob(key).upload_from_string, data=data)

    def get(self, key: str) -> bytes | None:
        return call(f"reading {self.url}/{key}", self._get_if_there, key=key)

    def _get_if_there(self, *, key: str) -> bytes | None:
        from google.api_core.exceptions import NotFound

        try:
            return self._bucket.blob(key).download_as_bytes()
        except NotFound:
            return None

    def keys(self, prefix: str) -> list[str]:
        return call(
            f"listing {self.url}/{prefix}",
            lambda: [blob.name for blob in self._client.list_blobs(self._bucket, prefix=prefix)],
        )

    def download(self, key: str, path: Path) -> None:
        call(f"downloading {self.url}/{key}", self._bucket.blob(key).download_to_filename, filename=str(path))
