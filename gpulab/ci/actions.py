"""The third-party actions the workflows use, each pinned to the commit of a release.

A tag can be moved to other code; a commit cannot, so every `uses:` names a
commit, with its release in a comment. Each was read from the action's
repository at its release tag (the newest release as of 2026-08); bump them
here, all in one place.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    repository: str
    commit: str
    release: str

    @property
    def uses(self) -> str:
        return f"{self.repository}@{self.commit}"


CHECKOUT = Action("actions/checkout", "3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1")
SETUP_PYTHON = Action("actions/setup-python", "5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0")
SETUP_NODE = Action("actions/setup-node", "820762786026740c76f36085b0efc47a31fe5020", "v7.0.0")
SETUP_TERRAFORM = Action("hashicorp/setup-terraform", "dfe3c3f87815947d99a8997f908cb6525fc44e9e", "v4.0.1")
UPLOAD_ARTIFACT = Action("actions/upload-artifact", "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0")
DOWNLOAD_ARTIFACT = Action("actions/download-artifact", "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1")
UPLOAD_SARIF = Action("github/codeql-action/upload-sarif", "8aad20d150bbac5944a9f9d289da16a4b0d87c1e", "v4.36.2")
AWS_CREDENTIALS = Action("aws-actions/configure-aws-credentials", "e6de054238d6b7531b4efff3b6587d9aade6a06c", "v6.2.3")
AZURE_LOGIN = Action("azure/login", "f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca", "v3.0.1")
GCP_AUTH = Action("google-github-actions/auth", "7c6bc770dae815cd3e89ee6cdf493a5fab2cc093", "v3.0.0")

ALL = (
    CHECKOUT,
    SETUP_PYTHON,
    SETUP_NODE,
    SETUP_TERRAFORM,
    UPLOAD_ARTIFACT,
    DOWNLOAD_ARTIFACT,
    UPLOAD_SARIF,
    AWS_CREDENTIALS,
    AZURE_LOGIN,
    GCP_AUTH,
)
