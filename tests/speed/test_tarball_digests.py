"""Tarball digests: jsii's SHA-256 of an assembly tarball, remembered per version of the file."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import textwrap
from pathlib import Path

from gpulab.speed.fast_import import TARBALL_DIGESTS_PRELOAD
from tests.speed.binding_probe import run_python
from tests.speed.node_probe import run_preloaded

# Asks the hook for the digest of argv[1] with the salts in argv[2] (JSON); prints it and how often it hashed.
PROBE = textwrap.dedent(
    """
    const crypto = require("crypto"), fs = require("fs");
    const [file, salts] = [process.argv[1], JSON.parse(process.argv[2] || "[]")];
    if (typeof globalThis.gpulabTarballDigest !== "function") {
      console.log("no hook");
      process.exit(0);
    }
    let hashed = 0;
    const hash = () => {
      hashed += 1;
      const digest = crypto.createHash("sha256").update(fs.readFileSync(file));
      for (const salt of salts) digest.update("\\0").update(salt);
      return digest.digest();
    };
    const digest = globalThis.gpulabTarballDigest(file, salts, hash);
    console.log(Buffer.isBuffer(digest) ? digest.toString("hex") : "not a Buffer", "hashed", hashed);
    """
)


def _expected(file: Path, *salts: str) -> str:
    digest = hashlib.sha256(file.read_bytes())
    for salt in salts:
        digest.update(b"\0" + salt.encode())
    return digest.hexdigest()


def _ask(file: Path, cache: Path, *salts: str, **env: str) -> str:
    return run_preloaded(
        TARBALL_DIGESTS_PRELOAD, PROBE, str(file), json.dumps(salts), XDG_CACHE_HOME=str(cache), **env
    ).strip()


def _memos(cache: Path) -> list[Path]:
    return sorted((cache / "gpulab" / "tarball-digests").glob("*.json"))


def test_a_tarball_is_hashed_once_then_answered_from_its_memo(tmp_path):
    tarball, cache = tmp_path / "package.tgz", tmp_path / "cache"
    tarball.write_bytes(b"assembly " * 1000)
    expected = _expected(tarball, "pkg", "1.0.0")

    assert _ask(tarball, cache, "pkg", "1.0.0") == f"{expected} hashed 1"
    assert len(_memos(cache)) == 1
    assert _ask(tarball, cache, "pkg", "1.0.0") == f"{expected} hashed 0"


def test_a_rewritten_tarball_or_other_salts_are_hashed_again(tmp_path):
    tarball, cache = tmp_path / "package.tgz", tmp_path / "cache"
    tarball.write_bytes(b"first")
    assert _ask(tarball, cache, "pkg", "1.0.0").endswith("hashed 1")

    tarball.write_bytes(b"other")  # same size; the change time moves on
    assert _ask(tarball, cache, "pkg", "1.0.0") == f"{_expected(tarball, 'pkg', '1.0.0')} hashed 1"
    assert _ask(tarball, cache, "pkg", "2.0.0") == f"{_expected(tarball, 'pkg', '2.0.0')} hashed 1"
    assert _ask(tarball, cache, "pkg", "1.0.0").endswith("hashed 0")


def test_a_damaged_memo_or_an_unwritable_cache_means_hashing(tmp_path):
    tarball, cache = tmp_path / "package.tgz", tmp_path / "cache"
    tarball.write_bytes(b"assembly")
    expected = _expected(tarball)
    assert _ask(tarball, cache) == f"{expected} hashed 1"
    for memo in _memos(cache):
        memo.write_text('{"key": "trunc')
    assert _ask(tarball, cache) == f"{expected} hashed 1"

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    assert _ask(tarball, blocker) == f"{expected} hashed 1"
    assert _ask(tarball, blocker) == f"{expected} hashed 1"


def test_switched_off_there_is_no_hook(tmp_path):
    tarball = tmp_path / "package.tgz"
    tarball.write_bytes(b"assembly")
    assert _ask(tarball, tmp_path / "cache", GPULAB_TARBALL_DIGESTS="off") == "no hook"


def test_the_kernel_remembers_the_digests_of_the_assemblies_it_loads(tmp_path):
    """The real kernel (the direct kernel's copy of program.js) asks the hook for cdktf's and constructs' tarballs."""
    cache = tmp_path / "cache"
    package_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "aws" / "jsii" / "package-cache"
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(cache),
        "JSII_RUNTIME_PACKAGE_CACHE_ROOT": str(package_cache),  # jsii's own cache stays where it is
        "GPULAB_LAZY_ANNOTATIONS": "off",  # no compile into the empty cache folder
    }
    run_python(
        "from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading(); import cdktf",
        env=env,
    )

    remembered = {json.loads(memo.read_text())["digest"] for memo in _memos(cache)}
    assert len(remembered) == 2
    assert remembered == {
        _expected(tarball, *_name_and_version(tarball)) for tarball in _tarballs("cdktf", "constructs")
    }


def _tarballs(*packages: str) -> list[Path]:
    """Each package's assembly tarball (`_jsii/<name>@<version>.jsii.tgz`), found without importing it."""
    folders = [Path(next(iter(importlib.util.find_spec(package).submodule_search_locations))) for package in packages]
    return [tarball for folder in folders for tarball in (folder / "_jsii").glob("*.jsii.tgz")]


def _name_and_version(tarball: Path) -> tuple[str, str]:
    name, version = tarball.name.removesuffix(".jsii.tgz").rsplit("@", 1)
    return name, version
