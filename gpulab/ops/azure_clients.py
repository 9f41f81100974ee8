"""Azure clients for gpulab's Azure operations, and one clear line for each way a call can fail.

Credentials come from azure-identity's DefaultAzureCredential (environment
variables, workload identity in CI, a managed identity, `az login`, …). The
subscription is the file's `azure.subscription_id`, else
AZURE_SUBSCRIPTION_ID or ARM_SUBSCRIPTION_ID (what Terraform reads).
GPULAB_AZURE_ARM_ENDPOINT points the Resource Manager client elsewhere (a
sovereign cloud, the tests' stand-in); tokens are still asked for Resource
Manager's audience. azure-core retries throttled (429) and unavailable
answers itself, honouring Retry-After.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from gpulab.config.model import Environment
from gpulab.ops.errors import OpsError

ARM = "https://management.azure.com"
EXTRA = (
    "Azure operations need azure-mgmt-compute, azure-storage-blob and azure-identity: pip install 'gpulab[azure-ops]'"
)
NO_CREDENTIALS = "no Azure credentials (run az login, or set AZURE_CLIENT_ID, AZURE_TENANT_ID and a secret or token)"


def subscription(env: Environment) -> str:
    """The subscription the environment lives in; OpsError saying where to give it when none is known."""
    found = (
        env.azure.subscription_id or os.environ.get("AZURE_SUBSCRIPTION_ID") or os.environ.get("ARM_SUBSCRIPTION_ID")
    )
    if not found:
        raise OpsError(f"{env.name}: no Azure subscription (set azure.subscription_id, or AZURE_SUBSCRIPTION_ID)")
    return found


def compute_client(env: Environment) -> Any:
    """A ComputeManagementClient for the environment's subscription, signed in with DefaultAzureCredential."""
    try:
        from azure.identity import DefaultAzureCredential
        from azure.mgmt.compute import ComputeManagementClient
    except ImportError:
        raise OpsError(EXTRA) from None
    endpoint = os.environ.get("GPULAB_AZURE_ARM_ENDPOINT", ARM)
    return ComputeManagementClient(
        DefaultAzureCredential(exclude_interactive_browser_credential=True),
        subscription(env),
        base_url=endpoint,
        credential_scopes=[f"{ARM}/.default"],
    )


def call(what: str, operation: Callable[..., Any], /, *arguments: Any, **keywords: Any) -> Any:
    """`operation(...)`, its failures turned into one OpsError line saying `what` failed and why."""
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ResourceNotFoundError,
        ServiceRequestError,
    )

    try:
        return operation(*arguments, **keywords)
    except ClientAuthenticationError as error:
        if error.status_code is None:  # no credential in the chain could sign in
            raise OpsError(f"{what}: {NO_CREDENTIALS}") from None
        raise OpsError(f"{what}: the Azure credentials were refused ({_message(error)}); sign in again") from None
    except ServiceRequestError as error:
        raise OpsError(f"{what}: cannot reach Azure ({_message(error)}); check the network") from None
    except ResourceNotFoundError as error:
        raise OpsError(f"{what}: not found ({_message(error)}); is it deployed?") from None
    except HttpResponseError as error:
        if error.status_code == 403:
            raise OpsError(
                f"{what}: access denied ({_message(error)}); the signed-in identity lacks the permission"
            ) from None
        if error.status_code == 429:
            raise OpsError(f"{what}: Azure kept throttling after its retries; try again later") from None
        raise OpsError(f"{what}: {error.status_code}: {_message(error)}") from None


def _message(error: Any) -> str:
    """The service's own message (ARM's error.message), else the first line of the exception."""
    inner = getattr(error, "error", None)
    if inner is not None and getattr(inner, "message", None):
        return str(inner.message)
    return (str(getattr(error, "message", None) or error).strip().splitlines() or [type(error).__name__])[0]
