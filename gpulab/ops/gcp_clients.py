"""Google Cloud clients for gpulab's GCP operations, and one clear line for each way a call can fail.

Credentials come from Application Default Credentials (`gcloud auth
application-default login`, GOOGLE_APPLICATION_CREDENTIALS, workload identity
federation in CI, a VM's service account). GPULAB_GCP_COMPUTE_ENDPOINT points
the Compute Engine client elsewhere (the tests' stand-in);
STORAGE_EMULATOR_HOST, google-cloud-storage's own switch, does the same for
Cloud Storage. Rate-limited and unavailable answers are retried with backoff.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

from gpulab.ops.errors import OpsError

SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
EXTRA = "GCP operations need google-cloud-compute and google-cloud-storage: pip install 'gpulab[gcp-ops]'"


def credentials() -> Any:
    """Application Default Credentials; OpsError saying how to sign in when there are none."""
    try:
        import google.auth
        from google.auth.exceptions import DefaultCredentialsError
    except ImportError:
        raise OpsError(EXTRA) from None
    try:
        found, _ = google.auth.default(scopes=list(SCOPES))
    except DefaultCredentialsError:
        raise OpsError(
            "no Google credentials (run gcloud auth application-default login, or set GOOGLE_APPLICATION_CREDENTIALS)"
        ) from None
    return found


def compute_client(kind: str) -> Any:
    """A Compute Engine client (`kind`: InstancesClient, …) with ADC and gpulab's endpoint switch."""
    try:
        from google.api_core.client_options import ClientOptions
        from google.cloud import compute_v1
    except ImportError:
        raise OpsError(EXTRA) from None
    endpoint = os.environ.get("GPULAB_GCP_COMPUTE_ENDPOINT")
    options = ClientOptions(api_endpoint=endpoint) if endpoint else None
    return getattr(compute_v1, kind)(credentials=credentials(), client_options=options)


def storage_client(project: str) -> Any:
    """A Cloud Storage client of `project` with ADC (or anonymous, against STORAGE_EMULATOR_HOST)."""
    try:
        from google.cloud import storage
    except ImportError:
        raise OpsError(EXTRA) from None
    if os.environ.get("STORAGE_EMULATOR_HOST"):
        return storage.Client(project=project)
    return storage.Client(project=project, credentials=credentials())


def retry() -> Any:
    """Retry rate-limited (429) and unavailable (503) answers with backoff, for up to two minutes."""
    from google.api_core import exceptions
    from google.api_core import retry as retries

    transient = retries.if_exception_type(exceptions.TooManyRequests, exceptions.ServiceUnavailable)
    return retries.Retry(predicate=transient, initial=1.0, maximum=20.0, multiplier=2.0, timeout=120.0)


def call(what: str, operation: Callable[..., Any], /, **arguments: Any) -> Any:
    """`operation(**arguments)`, its failures turned into one OpsError line saying `what` failed and why."""
    import requests
    from google.api_core import exceptions
    from google.auth import exceptions as auth_exceptions

    try:
        return operation(**arguments)
    except auth_exceptions.RefreshError as error:
        raise OpsError(f"{what}: the Google credentials were refused ({_first_line(error)}); sign in again") from None
    except (auth_exceptions.TransportError, requests.ConnectionError) as error:
        raise OpsError(f"{what}: cannot reach Google Cloud ({_first_line(error)}); check the network") from None
    except exceptions.Unauthorized as error:
        raise OpsError(f"{what}: the Google credentials were refused ({_message(error)}); sign in again") from None
    except (exceptions.Forbidden, exceptions.PermissionDenied) as error:
        raise OpsError(
            f"{what}: access denied ({_message(error)}); the signed-in identity lacks the permission"
        ) from None
    except exceptions.RetryError:
        raise OpsError(f"{what}: Google Cloud kept refusing for two minutes (rate limit); try again later") from None
    except exceptions.GoogleAPICallError as error:
        raise OpsError(f"{what}: {error.code}: {_message(error)}") from None


def _message(error: Any) -> str:
    """The API's message, without the "GET <url>: " the REST transport puts before it."""
    return re.sub(r"^(GET|POST|PUT|PATCH|DELETE) \S+: ", "", str(error.message))


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
