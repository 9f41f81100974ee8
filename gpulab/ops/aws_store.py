"""The S3 bucket `gpulab run` hands jobs through, as a fleet.JobStore."""

from __future__ import annotations

from pathlib import Path

from gpulab.config.model import Bucket, Environment
from gpulab.ops.aws_clients import call, client


class JobBucket:
    def __init__(self, env: Environment, spec: Bucket) -> None:
        bucket = env.bucket_name(spec)
        self.bucket = bucket
        self.url = f"s3://{bucket}"
        self._s3 = client("s3", env.region)

    def put(self, key: str, data: bytes) -> None:
        call(f"writing {self.url}/{key}", self._s3.put_object, Bucket=self.bucket, Key=key, Body=data)

    def get(self, key: str) -> bytes | None:
        return call(f"reading {self.url}/{key}", self._get_if_there, key=key)

    def _get_if_there(self, *, key: str) -> bytes | None:
        try:
            return self._s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except self._s3.exceptions.NoSuchKey:
            return None

    def keys(self, prefix: str) -> list[str]:
        paginator = self._s3.get_paginator("list_objects_v2")
        pages = call(
            f"listing {self.url}/{prefix}",
            lambda **kw: list(paginator.paginate(**kw)),
            Bucket=self.bucket,
            Prefix=prefix,
        )
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def download(self, key: str, path: Path) -> None:
        call(f"downloading {self.url}/{key}", self._s3.download_file, Bucket=self.bucket, Key=key, Filename=str(path))
