"""Whether an argument is a Terraform token, whose value only a plan knows.

A construct may be handed `other_vpc.cidr_block` or a variable's value
instead of a literal: cdktf represents those as strings holding
`${TfToken[…]}` (or any `${…}` Terraform expression), lists holding one
`#{TfToken[…]}` string, and numbers whose top 16 bits carry a marker
(cdktf's lib/tokens/private/encoding.js, DOUBLE_TOKEN_MARKER_BITS 0xfdff and
DOUBLE_LIST_TOKEN_MARKER_BITS 0xfbff). A rule cannot judge such a value, so
`require` lets it through, as aws-cdk-lib skips `Token.isUnresolved` values.
Recognising them here, in plain Python, costs no round trip to the jsii kernel.
"""

from __future__ import annotations

import struct

STRING_MARKERS = ("${", "#{TfToken[", "&{TfToken[")
NUMBER_MARKERS = (0xFDFF, 0xFBFF)


def is_unresolved(value: object) -> bool:
    """Whether `value` is, or (a list or mapping) holds, a token rather than a literal."""
    if isinstance(value, str):
        return any(marker in value for marker in STRING_MARKERS)
    if isinstance(value, float):
        return struct.unpack("<Q", struct.pack("<d", value))[0] >> 48 in NUMBER_MARKERS
    if isinstance(value, (list, tuple)):
        return any(is_unresolved(item) for item in value)
    if isinstance(value, dict):
        return any(is_unresolved(key) or is_unresolved(item) for key, item in value.items())
    return False
