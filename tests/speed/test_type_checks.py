"""The type-check memo: a scalar type that passed is let through; everything else is checked as before."""

# typing.Optional / List / Dict on purpose: they are the forms jsii bindings hand to typeguard 2.
# ruff: noqa: UP006, UP045

from __future__ import annotations

import typing

import pytest
import typeguard

from gpulab.speed import type_checks
from gpulab.speed.type_checks import MemoizedCheckType


class RecordingCheck:
    """typeguard's check_type, counting the calls that reach it."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, argname: str, value: object, expected_type: object) -> None:
        self.calls += 1
        typeguard.check_type(argname=argname, value=value, expected_type=expected_type)


def fresh(expected_type):
    """An equal expected type that is a new object (as typing.get_type_hints makes when it resolves names)."""
    return type(expected_type)(expected_type.__origin__, expected_type.__args__)


@pytest.fixture
def checked() -> tuple[MemoizedCheckType, RecordingCheck]:
    recording = RecordingCheck()
    return MemoizedCheckType(recording, {}), recording


def test_a_scalar_type_that_passed_is_not_checked_again(checked):
    check_type, recording = checked
    optional_str = typing.Optional[str]
    for value in ("a", "b", None, "c", None):
        check_type(argname="name", value=value, expected_type=optional_str)
    assert recording.calls == 2  # one str, one None


def test_a_failing_scalar_fails_every_time_with_typeguards_message(checked):
    check_type, recording = checked
    check_type(argname="size", value=1, expected_type=typing.Optional[int])
    for _ in range(2):
        with pytest.raises(TypeError) as raised:
            check_type(argname="size", value="big", expected_type=typing.Optional[int])
        with pytest.raises(TypeError) as direct:
            typeguard.check_type(argname="size", value="big", expected_type=typing.Optional[int])
        assert str(raised.value) == str(direct.value)
    assert recording.calls == 3


def test_collections_and_objects_are_always_checked(checked):
    check_type, recording = checked
    check_type(argname="zones", value=["a"], expected_type=typing.List[str])
    with pytest.raises(TypeError):
        check_type(argname="zones", value=[1], expected_type=typing.List[str])
    check_type(argname="labels", value={"a": "b"}, expected_type=typing.Dict[str, str])
    with pytest.raises(TypeError):
        check_type(argname="labels", value={"a": 1}, expected_type=typing.Dict[str, str])
    check_type(argname="scope", value=RecordingCheck(), expected_type=RecordingCheck)
    check_type(argname="scope", value=RecordingCheck(), expected_type=RecordingCheck)
    assert recording.calls == 6


def test_the_same_scalar_type_is_checked_again_against_another_expected_type(checked):
    check_type, recording = checked
    check_type(argname="a", value=True, expected_type=typing.Optional[bool])
    with pytest.raises(TypeError):
        check_type(argname="a", value=True, expected_type=typing.Optional[str])
    assert recording.calls == 2


def test_an_equal_expected_type_that_is_another_object_is_checked_on_its_own(checked):
    check_type, recording = checked
    optional_str, equal_copy = typing.Optional[str], fresh(typing.Optional[str])
    assert optional_str == equal_copy and optional_str is not equal_copy
    for expected_type in (optional_str, equal_copy, optional_str, equal_copy):
        check_type(argname="name", value="a", expected_type=expected_type)
    assert recording.calls == 2


def test_a_remembered_expected_type_is_held_so_that_no_later_object_takes_its_id(checked):
    """Were a remembered type freed, a new one could get its id and the memo's pass."""
    check_type, _ = checked
    for _ in range(50):
        check_type(argname="size", value=1, expected_type=fresh(typing.Optional[int]))
        with pytest.raises(TypeError):
            check_type(argname="size", value=1, expected_type=fresh(typing.Optional[str]))


def test_past_its_bound_the_memo_remembers_no_new_expected_type(checked, monkeypatch):
    check_type, recording = checked
    monkeypatch.setattr(type_checks, "MAX_EXPECTED_TYPES", 2)
    expected_types = (typing.Optional[str], typing.Optional[int], typing.Optional[bool])
    for _ in range(2):
        for expected_type in expected_types:
            check_type(argname="a", value=None, expected_type=expected_type)
    assert recording.calls == 4  # the third type is checked every time


def test_provider_bindings_use_the_memo_and_still_reject_a_wrong_type():
    from cdktf_cdktf_provider_google.compute_disk import ComputeDiskDiskEncryptionKey

    module_check = ComputeDiskDiskEncryptionKey.__init__.__globals__["check_type"]
    assert isinstance(module_check, MemoizedCheckType)
    ComputeDiskDiskEncryptionKey(kms_key_self_link="projects/p/keys/k")
    with pytest.raises(TypeError, match="kms_key_self_link must be one of"):
        ComputeDiskDiskEncryptionKey(kms_key_self_link=5)
