"""E-mail addresses: checked as EmailStr checks them, and an accepted one is not checked again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import EmailStr, TypeAdapter, ValidationError

from gpulab.config import emails
from gpulab.config.emails import EmailAddress, normalized_email

ADDRESSES = [
    "ops@example.com",
    "Ops@EXAMPLE.com",
    "John Doe <jd@example.com>",
    "  ops@example.com ",
    "δοκιμή@παράδειγμα.δοκιμή",
]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.mark.parametrize("address", ADDRESSES)
def test_an_address_gets_the_value_emailstr_gives_it_checked_or_remembered(address):
    expected = TypeAdapter(EmailStr).validate_python(address)
    assert normalized_email(address) == expected
    assert json.loads(emails.memo_file().read_text())[address] == expected
    assert normalized_email(address) == expected


def _reason(address: str) -> str:
    with pytest.raises(ValidationError) as raised:
        TypeAdapter(EmailAddress).validate_python(address)
    (error,) = raised.value.errors()
    assert error["type"] == "value_error"
    return error["ctx"]["reason"]


def test_a_rejected_address_fails_every_time_with_email_validators_reason():
    assert _reason("ops.example.com") == "An email address must have an @-sign."
    assert not emails.memo_file().exists()
    assert _reason("ops.example.com") == "An email address must have an @-sign."
    normalized_email("ops@example.com")
    assert _reason("ops.example.com") == "An email address must have an @-sign."
    assert list(json.loads(emails.memo_file().read_text())) == ["ops@example.com"]


def test_a_memo_of_other_versions_or_a_damaged_one_is_not_used(tmp_path):
    other_versions = emails.memo_file().with_name("pydantic-1.0-email-validator-1.0.json")
    other_versions.parent.mkdir(parents=True)
    other_versions.write_text(json.dumps({"ops.example.com": "ops.example.com"}))
    assert _reason("ops.example.com") == "An email address must have an @-sign."
    for damaged in ("{", '["ops.example.com"]', '{"ops.example.com": 1}'):
        emails.memo_file().write_text(damaged)
        assert _reason("ops.example.com") == "An email address must have an @-sign."
        assert normalized_email("ops@example.com") == "ops@example.com"
        assert json.loads(emails.memo_file().read_text()) == {"ops@example.com": "ops@example.com"}


def test_an_unwritable_cache_still_checks(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert normalized_email("Ops@EXAMPLE.com") == "Ops@example.com"
    assert _reason("ops.example.com") == "An email address must have an @-sign."


def test_past_its_bound_the_memo_starts_over(monkeypatch):
    monkeypatch.setattr(emails, "MOST_REMEMBERED", 2)
    for address in ("a@example.com", "b@example.com", "c@example.com"):
        normalized_email(address)
    assert json.loads(emails.memo_file().read_text()) == {"c@example.com": "c@example.com"}


PROBE = """
import sys
from gpulab.config.model import Monitoring
print(Monitoring(alarm_email=sys.argv[1]).alarm_email, "email_validator" in sys.modules)
"""


def _probe(address: str, cache: Path, **env: str) -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), **env}
    command = [sys.executable, "-c", PROBE, address]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout.strip()


def test_a_remembered_address_does_not_import_email_validator(tmp_path):
    assert _probe("Ops@EXAMPLE.com", tmp_path) == "Ops@example.com True"
    assert _probe("Ops@EXAMPLE.com", tmp_path) == "Ops@example.com False"
    assert _probe("other@example.com", tmp_path) == "other@example.com True"


def test_switched_off_every_address_is_checked(tmp_path):
    for _ in range(2):
        assert _probe("Ops@EXAMPLE.com", tmp_path, GPULAB_EMAIL_MEMO="off") == "Ops@example.com True"
    assert not (tmp_path / "gpulab").exists()
