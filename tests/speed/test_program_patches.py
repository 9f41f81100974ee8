"""program.js patches apply whole or not at all, and the copy records which applied."""

from __future__ import annotations

from gpulab.speed.program_patches import (
    CLAIMED_OBJECT_IDS,
    PATCHES,
    TARBALL_DIGEST_HOOK,
    applied_patches,
    patch_program,
)


def _originals(patch) -> list[str]:
    return [original for original, _ in patch.replacements]


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
