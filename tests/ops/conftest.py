"""Local services for gpulab's cloud operations: moto's server mode for the AWS APIs, a Cloud Storage emulator and
a compute stand-in checked against the API's description for GCP."""

from __future__ import annotations

import json
import socket

import pytest
from moto.server import ThreadedMotoServer

from tests.conftest import ENV_DIR, REPO


@pytest.fixture(scope="session")
def moto_endpoint() -> str:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(moto_endpoint, monkeypatch) -> str:
    """This process talks to moto with test credentials; moto's state is reset for each test."""
    import requests

    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    return moto_endpoint


@pytest.fixture(scope="session")
def service_account_key() -> str:
    """A fresh RSA private key (PEM), for a service-account file whose tokens the compute stand-in issues."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture
def gcp(service_account_key, tmp_path, monkeypatch):
    """The compute stand-in and a real Cloud Storage emulator on localhost; this process signs in to them with a
    service-account file (Application Default Credentials), as a CI job does. Fails a test whose requests
    strayed from the API's description."""
    from gcp_storage_emulator.server import create_server

    from tests.ops.gcp_compute_standin import ComputeStandIn

    port = _free_port()
    storage = create_server("127.0.0.1", port, in_memory=True)
    storage.start()
    try:  # the emulator's server thread outlives a failed set-up unless stopped here
        with ComputeStandIn() as compute:
            compute.service_account_keys.append(_public_key(service_account_key))
            account = {
                "type": "service_account",
                "project_id": "pcp-training-000000",
                "private_key_id": "1",
                "private_key": service_account_key,
                "client_email": "gpulab-ci@pcp-training-000000.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": f"{compute.url}/token",
            }
            key_file = tmp_path / "service-account.json"
            key_file.write_text(json.dumps(account))
            for key in ("GOOGLE_CLOUD_PROJECT", "CLOUDSDK_CONFIG", "GCE_METADATA_HOST"):
                monkeypatch.delenv(key, raising=False)
            monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
            monkeypatch.setenv("GPULAB_GCP_COMPUTE_ENDPOINT", compute.url)
            monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://127.0.0.1:{port}")
            monkeypatch.setenv("NO_GCE_CHECK", "True")  # google-auth never probes for a metadata server
            yield compute
            assert compute.violations == []
    finally:
        storage.stop()


def _public_key(private_pem: str):
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(private_pem.encode(), password=None).public_key()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def tls_authority():
    """A throwaway certificate authority (trustme) for local HTTPS stand-ins."""
    import trustme

    return trustme.CA()


@pytest.fixture
def azure(tls_authority, tmp_path, monkeypatch):
    """The Resource Manager stand-in over HTTPS; this process signs in to it through DefaultAzureCredential's
    managed-identity path (App Service's IDENTITY_ENDPOINT protocol), as a workload on Azure does. Fails a test
    whose requests strayed from the API's description."""
    import ssl

    from tests.ops.azure_arm_standin import ArmStandIn

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls_authority.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    tls_authority.cert_pem.write_to_path(str(bundle))
    with ArmStandIn(context) as arm:
        for key in (
            "AZURE_CLIENT_ID",
            "AZURE_TENANT_ID",
            "AZURE_CLIENT_SECRET",
            "AZURE_FEDERATED_TOKEN_FILE",
            "MSI_ENDPOINT",
        ):
            monkeypatch.delenv(key, raising=False)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
        monkeypatch.setenv("IDENTITY_ENDPOINT", arm.identity_url)
        monkeypatch.setenv("IDENTITY_HEADER", arm.identity_header)
        monkeypatch.setenv("GPULAB_AZURE_ARM_ENDPOINT", arm.url)
        monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", SUBSCRIPTION)
        yield arm
        assert arm.violations == []


SUBSCRIPTION = "00000000-0000-0000-0000-0000000000aa"


AZURITE = REPO / "node_modules" / ".bin" / "azurite-blob"


@pytest.fixture
def azurite(azure, tls_authority, tmp_path, monkeypatch):
    """Azurite, Microsoft's Azure Storage emulator (npm, package.json), serving blobs over HTTPS with OAuth
    checks (issuer, audience, lifetime) for the echoes environment's storage account; the blob clients reach it
    through GPULAB_AZURE_BLOB_ENDPOINT and sign in with the stand-in's managed identity. Yields its URL."""
    import base64
    import os
    import subprocess
    import time

    from gpulab.config import azure_names, load_environments

    (echoes,) = load_environments(ENV_DIR, ["echoes"])
    account = azure_names.storage_account_name(echoes)
    certificate = tls_authority.issue_cert("127.0.0.1")
    cert, key = tmp_path / "azurite-cert.pem", tmp_path / "azurite-key.pem"
    certificate.cert_chain_pems[0].write_to_path(str(cert))
    certificate.private_key_pem.write_to_path(str(key))
    port = _free_port()
    options = ["--blobHost", "127.0.0.1", "--blobPort", str(port), "--cert", str(cert), "--key", str(key)]
    options += ["--oauth", "basic", "--inMemoryPersistence", "--disableTelemetry", "--silent"]
    options += ["--skipApiVersionCheck"]  # azure-storage-blob 12.31 asks for 2026-10-06, newer than Azurite 3.37 knows
    accounts = f"{account}:{base64.b64encode(os.urandom(32)).decode()}"
    server = subprocess.Popen(
        [str(AZURITE), *options],
        env={**os.environ, "AZURITE_ACCOUNTS": accounts},
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Azurite did not start: {server.stderr.read().decode()[-2000:]}") from None
                time.sleep(0.1)
        monkeypatch.setenv("GPULAB_AZURE_BLOB_ENDPOINT", f"https://127.0.0.1:{port}/{{account}}")
        yield f"https://127.0.0.1:{port}/{account}"
    finally:
        server.terminate()
        server.wait(timeout=10)
