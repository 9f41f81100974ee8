"""`gpulab state bootstrap`: the S3 bucket an AWS environment keeps its Terraform state in, made safe and idempotent.

Terraform cannot make the bucket its own backend lives in, so it is made
once, before the first deploy: versioned (a bad apply can be rolled back),
encrypted by default, every kind of public access blocked, and a policy
that refuses requests without TLS. Running it again re-applies the same
settings to the caller's own bucket; a bucket of that name owned by another
account is refused, never touched.
"""

from __future__ import annotations

import json

from gpulab.config.model import Environment
from gpulab.ops.aws_clients import call, client
from gpulab.ops.errors import OpsError


def tls_only_policy(bucket: str) -> str:
    arn = f"arn:aws:s3:::{bucket}"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyWithoutTLS",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [arn, f"{arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def bootstrap(env: Environment) -> list[str]:
    """Make (or re-apply the settings of) the environment's state bucket; one line per step taken."""
    bucket = env.state.bucket
    if env.cloud != "aws" or not bucket:
        raise OpsError(f"{env.name}: names no S3 state bucket (add state: {{bucket: …}} to its file)")
    region = env.state.region or env.region
    s3, sts = client("s3", region), client("sts", region)
    account = call("reading the signed-in account", sts.get_caller_identity)["Account"]
    done = []
    if bucket_in_account(s3, bucket, account):
        done.append(f"s3://{bucket}: exists in account {account}; settings re-applied")
    else:
        location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        call(
            f"creating s3://{bucket}",
            s3.create_bucket,
            Bucket=bucket,
            ObjectOwnership="BucketOwnerEnforced",
            **location,
        )
        done.append(f"s3://{bucket}: created in {region}")
    call(
        "turning versioning on", s3.put_bucket_versioning, Bucket=bucket, VersioningConfiguration={"Status": "Enabled"}
    )
    call(
        "turning default encryption on",
        s3.put_bucket_encryption,
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}]
        },
    )
    call(
        "blocking public access",
        s3.put_public_access_block,
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    call("refusing requests without TLS", s3.put_bucket_policy, Bucket=bucket, Policy=tls_only_policy(bucket))
    done.append(f"s3://{bucket}: versioned, encrypted (aws:kms), public access blocked, TLS only")
    return done


def bucket_in_account(s3, bucket: str, account: str) -> bool:
    """Whether `bucket` exists in `account`; OpsError when another account owns it."""
    from botocore.exceptions import ClientError

    try:
        s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=account)
        return True
    except ClientError as error:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status == 404:
            return False
        if status == 403:
            raise OpsError(
                f"s3://{bucket}: exists and belongs to another account (bucket names are global; pick another)"
            ) from None
        raise OpsError(f"checking s3://{bucket}: {error.response.get('Error', {}).get('Code', status)}") from None
