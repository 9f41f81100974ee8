"""E-mail addresses checked as pydantic's EmailStr checks them, and remembered once accepted.

EmailStr runs email_validator (syntax only, no DNS), which compiles four
regular expressions over all of Unicode when it is imported: about 250
million instructions, 8% of a synth of tiny, for the one or two addresses
an environment names. That check depends only on the address and on the
versions of pydantic and email_validator, so an address it accepted is
remembered, with the normalized form it returned, in
`~/.cache/gpulab/email-addresses/`, in one file per pair of versions. A new
address, or any address after an upgrade, is checked again, and a rejected
one is never remembered: it fails every time with email_validator's reason,
as EmailStr does. GPULAB_EMAIL_MEMO=off checks every address.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema
from pydantic.version import VERSION as PYDANTIC_VERSION

from gpulab.speed.switches import EMAIL_MEMO, switched_on
from gpulab.user_cache import gpulab_cache, write_atomically

MOST_REMEMBERED = 1_000  # past this, the memo starts over


def memo_file() -> Path:
    versions = f"pydantic-{PYDANTIC_VERSION}-email-validator-{_validator_version()}"
    return gpulab_cache() / "email-addresses" / f"{versions}.json"


@functools.cache
def _validator_version() -> str:
    return importlib.metadata.version("email-validator")


def normalized_email(address: str) -> str:
    """`address` as EmailStr returns it; raises pydantic's error, with email_validator's reason, when invalid."""
    from pydantic.networks import validate_email  # imports email_validator on its first call

    if not switched_on(EMAIL_MEMO):
        return validate_email(address)[1]
    path = memo_file()
    remembered = _read_memo(path)
    if address in remembered:
        return remembered[address]
    normalized = validate_email(address)[1]
    if len(remembered) >= MOST_REMEMBERED:
        remembered = {}
    write_atomically(path, json.dumps({**remembered, address: normalized}).encode())
    return normalized


def _read_memo(path: Path) -> dict[str, str]:
    try:
        memo = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(memo, dict) or not all(isinstance(v, str) for v in memo.values()):
        return {}
    return memo


EmailAddress = Annotated[str, AfterValidator(normalized_email), WithJsonSchema({"type": "string", "format": "email"})]
