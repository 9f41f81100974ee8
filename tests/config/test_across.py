"""Environments loaded together must not claim the same globally unique names."""

from __future__ import annotations

import re

import pytest

from gpulab.config.loader import load_environments
from gpulab.errors import ConfigError
from tests.test_cli import VALID, VALID_AZURE, VALID_GCP


def _with_project(text: str, project: str) -> str:
    return re.sub(r"^project: .*$", f"project: {project}", text, count=1, flags=re.MULTILINE)


def _write(folder, files: dict[str, str]):
    folder.mkdir()
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text)
    return folder


def _problems(folder) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_environments(folder)
    return [str(problem) for problem in raised.value.problems]


def test_one_name_prefix_from_two_projects_is_reported_on_the_later_file(tmp_path):
    folder = _write(
        tmp_path / "envs",
        {
            "lab-dev": _with_project(VALID, "ml-x"),
            "dev": _with_project(VALID, "ml-x-lab"),
        },
    )
    assert _problems(folder) == [
        f"{folder}/lab-dev.yaml: project: 'ml-x' and the file name 'lab-dev' make the name prefix 'ml-x-lab-dev', "
        "as dev.yaml does on aws: their buckets and other names would collide (change project: or rename the file)"
    ]


def test_the_same_prefix_on_two_clouds_is_no_collision(tmp_path):
    folder = _write(
        tmp_path / "envs", {"lab-dev": _with_project(VALID, "ml-x"), "dev": _with_project(VALID_GCP, "ml-x-lab")}
    )
    assert [(env.cloud, env.prefix) for env in load_environments(folder)] == [
        ("gcp", "ml-x-lab-dev"),
        ("aws", "ml-x-lab-dev"),
    ]


def test_azure_storage_account_names_cut_to_24_characters_must_still_differ(tmp_path):
    folder = _write(
        tmp_path / "envs",
        {
            "staging-eu": _with_project(VALID_AZURE, "researchplatform"),
            "staging-eu2": _with_project(VALID_AZURE, "researchplatform"),
            "stagingeu": _with_project(VALID_AZURE, "researchplatform"),
        },
    )
    account = "'researchplatformstaginge'"
    assert _problems(folder) == [
        f"{folder}/staging-eu2.yaml: azure.storage_account: {account} is also the storage account of staging-eu.yaml, "
        "and storage account names are global (set azure.storage_account to another name)",
        f"{folder}/stagingeu.yaml: azure.storage_account: {account} is also the storage account of staging-eu.yaml, "
        "and storage account names are global (set azure.storage_account to another name)",
    ]


def test_an_explicit_storage_account_resolves_the_collision(tmp_path):
    own = "azure:\n  storage_account: rpstagingeutwo\n"
    folder = _write(
        tmp_path / "envs",
        {
            "staging-eu": _with_project(VALID_AZURE, "researchplatform"),
            "staging-eu2": _with_project(VALID_AZURE, "researchplatform") + own,
        },
    )
    assert [env.name for env in load_environments(folder)] == ["staging-eu", "staging-eu2"]
