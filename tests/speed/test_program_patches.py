"""program.js patches apply whole or not at all, and the copy records which applied."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from gpulab.speed.kernel import _embedded_runtime
from gpulab.speed.program_patches import (
    CLAIMED_OBJECT_IDS,
    LAZY_KERNEL_MESSAGES,
    MEMOIZED_TYPE_WALKS,
    PATCHES,
    TARBALL_DIGEST_HOOK,
    applied_patches,
    patch_program,
)

# The patched type check of computeSerializationType, run with jsii's names for assert (B) and util (K).
TYPE_CHECK_PROBE = """
{switch_read}}};
const B = {{ default: require("assert") }};
let inspected = 0;
const K = {{ inspect: (value) => (inspected++, require("util").inspect(value)) }};
const check = (e) => {type_check};
check({{ type: {{ primitive: "string" }} }});
const afterPassing = inspected;
let message;
try {{ check(null); }} catch (error) {{ message = error.message; }}
console.log(JSON.stringify({{ afterPassing, message }}));
"""


def _originals(patch) -> list[str]:
    return [original for original, _ in patch.replacements]


def _run_node(script: str, **env: str) -> dict:
    """What `node -e <script>` prints, as JSON, with `env` added to this process's environment."""
    result = subprocess.run(
        ["node", "-e", script], env={**os.environ, **env}, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_a_patch_with_one_text_missing_is_not_applied_at_all():
    digest = _originals(TARBALL_DIGEST_HOOK)[0]
    partial = ";".join([digest, *_originals(CLAIMED_OBJECT_IDS)[:-1]])
    patched, applied = patch_program(partial)
    assert applied == [TARBALL_DIGEST_HOOK.name]
    for original in _originals(CLAIMED_OBJECT_IDS)[:-1]:
        assert original in patched


def test_a_text_found_twice_is_not_patched():
    digest = _originals(TARBALL_DIGEST_HOOK)[0]
    assert patch_program(f"{digest};{digest}") == (f"{digest};{digest}", [])


def test_every_patch_applies_to_a_program_holding_each_text_once():
    program = ";".join(original for patch in PATCHES for original in _originals(patch))
    patched, applied = patch_program(program)
    assert applied == [patch.name for patch in PATCHES]
    assert all(replacement in patched for patch in PATCHES for _, replacement in patch.replacements)


def test_an_unreadable_or_odd_record_means_no_patches(tmp_path):
    program = tmp_path / "program.js"
    assert applied_patches(program) == frozenset()
    (tmp_path / "gpulab-patches.json").write_text("{not json")
    assert applied_patches(program) == frozenset()
    (tmp_path / "gpulab-patches.json").write_text('{"claimed-object-ids": true}')
    assert applied_patches(program) == frozenset()
    (tmp_path / "gpulab-patches.json").write_text('["claimed-object-ids", 3]')
    assert applied_patches(program) == {"claimed-object-ids"}


@pytest.mark.parametrize(("switch", "inspections"), [("on", 0), ("off", 1)])
def test_lazy_kernel_messages_inspect_the_type_only_when_the_check_fails(switch, inspections):
    switch_read, type_check = (patched for _, patched in LAZY_KERNEL_MESSAGES.replacements)
    script = TYPE_CHECK_PROBE.format(switch_read=switch_read, type_check=type_check)
    assert _run_node(script, GPULAB_LAZY_KERNEL_MESSAGES=switch) == {
        "afterPassing": inspections,
        "message": "Kernel error: expected type information, got null",
    }


def _pinned_program() -> str:
    embedded, _ = _embedded_runtime()
    return (embedded / "lib__program.js").read_text(encoding="utf-8")


def _between(text: str, start: str, end: str) -> str:
    """The one piece of `text` from `start` up to (not including) `end`."""
    assert text.count(start) == 1
    begin = text.index(start)
    return text[begin : text.index(end, begin)]


# jsii's propertiesOf, as the pinned program.js has it, patched, with the spec helpers it calls (N).
PROPERTIES_PROBE = """
const N = {{ isClassOrInterfaceType: (t) => ["class", "interface"].includes(t.kind), isClassType: (t) => t.kind === "class" }};
{functions}
const types = {{
  "a.Base": {{ fqn: "a.Base", kind: "class", properties: [{{ name: "base" }}] }},
  "a.I": {{ fqn: "a.I", kind: "interface", properties: [{{ name: "fromI" }}] }},
  "a.S": {{ fqn: "a.S", kind: "class", base: "a.Base", interfaces: ["a.I"], properties: [{{ name: "own" }}] }},
  "a.Cycle": {{ fqn: "a.Cycle", kind: "interface", interfaces: ["a.Cycle"] }},
}};
let lookups = 0;
const lookup = (fqn) => (lookups++, types[fqn]);
const keys = () => Object.keys(propertiesOf(types["a.S"], lookup));
const cycle = () => {{ try {{ propertiesOf(types["a.Cycle"], lookup); }} catch (error) {{ return error.message; }} }};
const first = keys(), afterFirst = lookups, second = keys(), afterSecond = lookups;
console.log(JSON.stringify({{ first, second, afterFirst, afterSecond, cycles: [cycle(), cycle()] }}));
"""


@pytest.mark.parametrize(("switch", "lookups_again"), [("on", 0), ("off", 2)])
def test_memoized_properties_of_a_type_are_jsiis_walked_once(switch, lookups_again):
    original = _between(_pinned_program(), "function propertiesOf(", "function isAssignable(")
    functions = MEMOIZED_TYPE_WALKS.apply(original)
    assert functions != original
    result = _run_node(PROPERTIES_PROBE.format(functions=functions), GPULAB_TYPE_WALK_MEMO=switch)
    unpatched = _run_node(PROPERTIES_PROBE.format(functions=original), GPULAB_TYPE_WALK_MEMO=switch)
    assert result["first"] == result["second"] == unpatched["first"] == ["fromI", "base", "own"]
    assert result["afterSecond"] - result["afterFirst"] == lookups_again
    assert result["cycles"] == unpatched["cycles"] == ["Cyclic type hierarchy detected: a.Cycle -> a.Cycle"] * 2


# ObjectTable.removeRedundant, patched around a stand-in body that counts its walks.
REDUNDANT_PROBE = """
let walks = 0, B;
const implemented = {{ "a.C": ["a.I"] }};
B=function _ObjectTable_removeRedundant(e,p){{if(!e||0===e.length)return;walks++;const m=new Set(e);
for(const e of implemented[p]||[])m.delete(e);return m.size>0?Array.from(m).sort():void 0}};class InterfaceCollection{{}}
const first = B(["a.J", "a.I"], "a.C");
first.push("changed by its caller");
const second = B(["a.J", "a.I"], "a.C"), onlyImplemented = [B(["a.I"], "a.C"), B(["a.I"], "a.C")];
console.log(JSON.stringify({{ second, onlyImplemented, none: B([], "a.C") === undefined, walks }}));
"""


@pytest.mark.parametrize(("switch", "walks"), [("on", 2), ("off", 4)])
def test_memoized_redundant_interfaces_are_walked_once_per_class_and_list(switch, walks):
    script = MEMOIZED_TYPE_WALKS.apply(REDUNDANT_PROBE.format())
    assert "gpulabMemos" in script
    assert _run_node(script, GPULAB_TYPE_WALK_MEMO=switch) == {
        "second": ["a.J"],
        "onlyImplemented": [None, None],
        "none": True,
        "walks": walks,
    }
