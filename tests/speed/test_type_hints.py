"""The type-hint cache: jsii binding modules get a memoized get_type_hints with typing's answers, nothing else changes."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.speed.binding_probe import probe_environment, run_beside_a_plain_package, run_python, write_package

GENERATED = textwrap.dedent(
    """
    import typing

    class Disk: ...

    def _typecheckingstub__x(value: "typing.Optional[int]") -> None: ...

    def _typecheckingstub__y(value: "typing.Optional[int]", disk: "typing.Union['Disk', typing.Dict[str, typing.Any]]", n: None) -> "Disk": ...

    def hints():
        return typing.get_type_hints(_typecheckingstub__x)

    def all_hints():
        return [typing.get_type_hints(stub) for stub in (_typecheckingstub__x, _typecheckingstub__y)]
    """
)

PROBE = textwrap.dedent(
    """
    import sys, typing
    sys.path.insert(0, sys.argv[1])
    from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading()  # installs the hooks
    import cdktf_cdktf_provider_fake.widget as binding
    import plainpackage.widget as plain
    first, second = binding.hints(), binding.hints()
    stubs = (binding._typecheckingstub__x, binding._typecheckingstub__y)
    same_as_typing = binding.all_hints() == [typing.get_type_hints(stub) for stub in stubs]
    print(type(binding.typing).__name__, plain.typing is typing, first is second, first == plain.hints(), same_as_typing)
    """
)


def _run(tmp_path: Path, **env: str) -> str:
    return run_beside_a_plain_package(tmp_path, GENERATED, PROBE, **env)


def test_jsii_bindings_resolve_each_stubs_hints_once_and_get_the_same_answer(tmp_path):
    assert _run(tmp_path) == "CachedHintsTyping True True True True"


def test_switched_off_the_bindings_keep_plain_typing(tmp_path):
    assert _run(tmp_path, GPULAB_TYPE_HINT_CACHE="off") == "module True False True True"


SHARING = textwrap.dedent(
    """
    import typing

    class Disk: ...

    def _typecheckingstub__x(shared: "typing.Optional[typing.List[int]]", own: "typing.Optional[Disk]") -> None: ...

    def hints():
        return typing.get_type_hints(_typecheckingstub__x)
    """
)

SHARING_PROBE = textwrap.dedent(
    """
    import sys, typing
    sys.path.insert(0, sys.argv[1])
    from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading()  # installs the hooks
    resolved = []
    real = typing.get_type_hints
    def counting(obj, *args, **kwargs):
        resolved.append(obj)
        return real(obj, *args, **kwargs)
    typing.get_type_hints = counting
    from cdktf_cdktf_provider_fake import first, second
    one, other = first.hints(), second.hints()
    print(one["shared"] == other["shared"] == typing.Optional[typing.List[int]])
    print(one["own"] == typing.Optional[first.Disk], other["own"] == typing.Optional[second.Disk])
    print(len(resolved), "resolved")
    """
)


def test_modules_binding_an_annotations_names_alike_share_its_resolution(tmp_path):
    write_package(tmp_path, {"first": SHARING, "second": SHARING})
    output = run_python(SHARING_PROBE, str(tmp_path), env=probe_environment(tmp_path))
    # `shared` and the `None` return once for both modules; `own` once per module, since `Disk` differs.
    assert output.splitlines() == ["True", "True True", "4 resolved"]
