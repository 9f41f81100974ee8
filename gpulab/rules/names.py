"""Rules about the names clouds give their resources, for the environment model and the constructs.

Each pattern is the provider's documented rule; the comments name the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from gpulab.errors import shown
from gpulab.rules.values import Rule

# S3 "General purpose bucket naming rules": 3-63 lowercase letters, digits, dots and hyphens;
# gpulab leaves dots out (virtual-hosted TLS breaks on them).
S3_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
# IAM "IAM object quotas": role and instance profile names are 1-64 characters of [\w+=,.@-].
IAM_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
# KMS CreateAlias: alias/ then 1-250 of [a-zA-Z0-9/_-]; alias/aws/ is reserved for AWS managed keys.
KMS_ALIAS = re.compile(r"^alias/[A-Za-z0-9/_-]{1,250}$")
# Azure "Naming rules and restrictions for Azure resources" (Microsoft.Storage).
STORAGE_ACCOUNT_NAME = re.compile(r"^[a-z0-9]{3,24}$")
CONTAINER_NAME = re.compile(r"^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")
AZURE_REPLICATIONS = ("LRS", "ZRS", "GRS", "GZRS", "RAGRS", "RAGZRS")
# Key Vault: 3-24 letters, digits and single hyphens, starting with a letter, not ending with a hyphen.
KEY_VAULT_NAME = re.compile(r"^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$")
# A public IP's domain_name_label (azurerm public_ip docs): lowercase, starting with a letter, 3-63.
DNS_LABEL = re.compile(r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$")
# DNS names for Azure DNS zones and their records (RFC 1035 labels, lowercase).
DOMAIN_NAME = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
SUBDOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
# Data Protection Backup vault names: 2-50 letters, digits and hyphens, starting with a letter
# (Azure docs, "Naming rules and restrictions for Azure resources", Microsoft.DataProtection/backupVaults).
BACKUP_VAULT_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]{1,49}$")
# What an environment's name_suffix may be: short, lowercase letters and digits, so it fits every global name
# (storage accounts take no hyphen); or "auto" for one derived from the environment.
NAME_SUFFIX = re.compile(r"^[a-z0-9]{1,8}$")
AUTO_SUFFIX = "auto"
LINUX_USER_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
# Cloud Storage "Bucket naming guidelines": 3-63 lowercase letters, digits, hyphens and underscores (dots need
# domain verification, left out), starting and ending with a letter or digit; no "goog" prefix, no "google".
GCS_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$")
# Compute Engine resource names (RFC 1035): a lowercase letter, then letters, digits and hyphens, 1-63.
GCE_RESOURCE_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
# Cloud KMS key ring and key names: 1-63 letters, digits, underscores and hyphens (KMS docs, KeyRing.name).
KMS_KEY_RING_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,63}$")
# IAM service account ids: 6-30 characters, lowercase letters, digits and hyphens, starting with a letter.
# OpenStack server names become hostnames (RFC 1123 labels); Swift container names hold no slash.
OPENSTACK_NAME = re.compile(r"^[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$")
SWIFT_CONTAINER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$")
SERVICE_ACCOUNT_ID = re.compile(r"^[a-z]([-a-z0-9]{4,28}[a-z0-9])$")
# User names the Azure compute API refuses as a VM's admin (REST API, Virtual Machines - Create Or Update,
# osProfile.adminUsername "Disallowed values").
AZURE_RESERVED_USERS = frozenset(
    {"administrator", "admin", "user", "user1", "test", "user2", "test1", "user3", "admin1", "1", "123", "a"}
    | {"actuser", "adm", "admin2", "aspnet", "backup", "console", "david", "guest", "john", "owner", "root"}
    | {"server", "sql", "support", "support_388945a0", "sys", "test2", "test3", "user4", "user5"}
)


def matching(pattern: re.Pattern[str], what: str, how: str, refused: Callable[[str], bool] = lambda _: False) -> Rule:
    """A rule: a string that `pattern` matches (and `refused` does not), else `<value> is not <what> (<how>)`."""

    def rule(value: object) -> str | None:
        if isinstance(value, str) and pattern.match(value) and not refused(value):
            return None
        return f"{shown(value)} is not {what} ({how})"

    return rule


s3_bucket_name_problem = matching(
    S3_BUCKET_NAME,
    "a valid S3 bucket name",
    "3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit",
    refused=lambda name: "--" in name,
)
iam_name_problem = matching(IAM_NAME, "a valid IAM name", "1-64 letters, digits and +=,.@_-")
storage_account_problem = matching(
    STORAGE_ACCOUNT_NAME, "a valid storage account name", "3-24 lowercase letters and digits, no hyphens"
)
container_problem = matching(
    CONTAINER_NAME, "a valid container name", "3-63 lowercase letters, digits and single hyphens"
)
key_vault_name_problem = matching(
    KEY_VAULT_NAME, "a valid Key Vault name", "3-24 letters, digits and single hyphens, starting with a letter"
)
dns_label_problem = matching(
    DNS_LABEL, "a valid DNS label", "3-63 lowercase letters, digits and hyphens, starting with a letter"
)
gcs_bucket_name_problem = matching(
    GCS_BUCKET_NAME,
    "a valid Cloud Storage bucket name",
    "3-63 lowercase letters, digits, hyphens and underscores, starting and ending with a letter or digit; "
    "no goog prefix or google",
    refused=lambda name: name.startswith("goog") or "google" in name,
)
gce_resource_name_problem = matching(
    GCE_RESOURCE_NAME,
    "a valid Compute Engine name",
    "1-63 lowercase letters, digits and hyphens, starting with a letter",
)
service_account_id_problem = matching(
    SERVICE_ACCOUNT_ID,
    "a valid service account id",
    "6-30 lowercase letters, digits and hyphens, starting with a letter",
)
key_ring_name_problem = matching(
    KMS_KEY_RING_NAME, "a valid Cloud KMS key ring name", "1-63 letters, digits, underscores and hyphens"
)
openstack_name_problem = matching(
    OPENSTACK_NAME, "a valid OpenStack server name", "1-63 letters, digits and hyphens, starting with a letter"
)
swift_container_problem = matching(
    SWIFT_CONTAINER_NAME, "a valid Swift container name", "1-256 letters, digits, dots, underscores and hyphens"
)
domain_problem = matching(DOMAIN_NAME, "a domain name", "lowercase labels joined by dots, e.g. lab.example.org")
subdomain_problem = matching(SUBDOMAIN, "a subdomain label", "1-63 lowercase letters, digits and hyphens, e.g. mlflow")
backup_vault_name_problem = matching(
    BACKUP_VAULT_NAME, "a valid Backup vault name", "2-50 letters, digits and hyphens, starting with a letter"
)
_suffix_shape = matching(
    NAME_SUFFIX,
    "a name suffix",
    f"1-8 lowercase letters and digits, or {AUTO_SUFFIX} for one derived from the environment",
)


def name_suffix_problem(value: object) -> str | None:
    return None if value == AUTO_SUFFIX else _suffix_shape(value)


linux_user_problem = matching(LINUX_USER_NAME, "a Linux user name", "lowercase letters, digits, _ and -, at most 32")


def kms_alias_problem(value: object) -> str | None:
    if not isinstance(value, str) or not KMS_ALIAS.match(value):
        return f"{shown(value)} is not a KMS alias (write alias/<name>, with letters, digits, /, _ and -)"
    if value.startswith("alias/aws/"):
        return f"{shown(value)} is reserved for AWS managed keys (pick a name outside alias/aws/)"
    return None


def replication_problem(value: object) -> str | None:
    if value not in AZURE_REPLICATIONS:
        return f"{shown(value)} is not an Azure storage replication (use one of {', '.join(AZURE_REPLICATIONS)})"
    return None


def admin_username_problem(value: object) -> str | None:
    problem = linux_user_problem(value)
    if problem:
        return problem
    if value in AZURE_RESERVED_USERS:
        return f"{shown(value)} is a user name Azure reserves (pick another, e.g. researcher)"
    return None
