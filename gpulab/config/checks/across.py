"""Checks across the environments loaded together: names the world shares must differ between them.

Each file is checked alone first; these catch two environments of one folder
that would claim the same globally unique names on their cloud, which
Terraform would otherwise report only when the second one is applied.
"""

from __future__ import annotations

from pathlib import Path

from gpulab.config import azure_names
from gpulab.config.model import Environment
from gpulab.errors import Problem


def check_across(loaded: list[tuple[Path, Environment]]) -> list[Problem]:
    """A problem for each environment whose global names an earlier one (in file order) already takes."""
    problems: list[Problem] = []
    prefixes: dict[tuple[str, str], Path] = {}
    storage_accounts: dict[str, Path] = {}
    for path, env in loaded:
        first = prefixes.setdefault((env.cloud, env.prefix), path)
        if first != path:
            problems.append(
                Problem(
                    str(path),
                    "project",
                    f"{env.project!r} and the file name {env.name!r} make the name prefix {env.prefix!r}, "
                    f"as {first.name} does on {env.cloud}: their buckets and other names would collide "
                    "(change project: or rename the file)",
                )
            )
        if env.cloud == "azure":
            account = azure_names.storage_account_name(env)
            first = storage_accounts.setdefault(account, path)
            if first != path:
                problems.append(
                    Problem(
                        str(path),
                        "azure.storage_account",
                        f"{account!r} is also the storage account of {first.name}, and storage account "
                        "names are global (set azure.storage_account to another name)",
                    )
                )
    return problems
