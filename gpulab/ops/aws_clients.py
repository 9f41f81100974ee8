"""boto3 clients for gpulab's AWS operations, and one clear line for each way a call can fail.

Credentials and the endpoint come from boto3's own chain (AWS_PROFILE,
environment variables, SSO, instance roles; AWS_ENDPOINT_URL points every
client at another endpoint, as the tests do with moto's server). Throttled
calls are retried with backoff by botocore's standard retry mode.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gpulab.ops.errors import OpsError

RETRIES = {"mode": "standard", "max_attempts": 8}


def client(service: str, region: str) -> Any:
    """A boto3 client of `service` in `region`; OpsError naming the extra when boto3 is not installed."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise OpsError("AWS operations need boto3: pip install 'gpulab[aws-ops]'") from None
    session = boto3.session.Session(region_name=region)  # credentials resolved now, never an earlier session's
    return session.client(service, config=Config(retries=dict(RETRIES)))  # a copy: botocore rewrites the dict


def call(what: str, operation: Callable[..., Any], /, **arguments: Any) -> Any:
    """`operation(**arguments)`, its failures turned into one OpsError line saying `what` failed and why."""
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )

    try:
        return operation(**arguments)
    except (NoCredentialsError, PartialCredentialsError):
        raise OpsError(f"{what}: no AWS credentials (set AWS_PROFILE, or sign in with aws sso login)") from None
    except NoRegionError:
        raise OpsError(f"{what}: no AWS region (the environment file's region is used; check it)") from None
    except EndpointConnectionError as error:
        raise OpsError(f"{what}: cannot reach AWS ({error.kwargs.get('endpoint_url')}); check the network") from None
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        if code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Forbidden", "403"):
            raise OpsError(
                f"{what}: access denied ({message or code}); the signed-in identity lacks the permission"
            ) from None
        if code in ("Throttling", "ThrottlingException", "RequestLimitExceeded", "SlowDown"):
            raise OpsError(
                f"{what}: AWS kept throttling after {RETRIES['max_attempts']} attempts; try again later"
            ) from None
        raise OpsError(f"{what}: {code}: {message}") from None
