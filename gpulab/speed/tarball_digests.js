"use strict";
/**
 * Preloaded into the jsii kernel (fast_import.py). Saves: 1.08× (0.95–1.31×) and
 * about 30 MB of a synth of every shipped environment (alternating runs,
 * 2026-12-07). Depends on: the `tarball-digest-hook` patch (program_patches.py).
 *
 * Every time the kernel loads an assembly, jsii hashes its whole tarball
 * (30-37 MB per provider, 60-95 ms each) to find its package cache folder. The
 * patched kernel asks `globalThis.gpulabTarballDigest`, which answers from a
 * memo keyed by the tarball's path and identity (device, inode, size,
 * modification and change times in nanoseconds, as Python keys its bytecode
 * cache) and jsii's salt arguments, and hashes as before when there is no
 * usable memo. Any change to the file changes its change time. Memos live in
 * $XDG_CACHE_HOME/gpulab/tarball-digests (else ~/.cache/gpulab/...), one small
 * JSON file each, written atomically.
 */
const crypto = require("crypto");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { switchedOn } = require("./preload_support");

function memoFolder() {
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(cacheHome, "gpulab", "tarball-digests");
}

/** The memo key of `file` as it is now, with jsii's `salts`: any write to the file changes its change time. */
function memoKey(file, salts) {
  const stat = fs.statSync(file, { bigint: true });
  const identity = [stat.dev, stat.ino, stat.size, stat.mtimeNs, stat.ctimeNs].map(String);
  return JSON.stringify([path.resolve(file), identity, salts]);
}

function writeAtomically(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const staging = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(staging, text);
    fs.renameSync(staging, file);
  } catch (error) {
    fs.rmSync(staging, { force: true });
    throw error;
  }
}

/**
 * The digest `compute()` returns for `file` with jsii's `salts`, from the memo
 * when one matches the file as it is now. Nothing is remembered when the file
 * changed while it was hashed; a memo that cannot be written only costs the
 * next run a hash.
 */
function tarballDigest(file, salts, compute) {
  let key;
  let memo;
  try {
    key = memoKey(file, salts);
    memo = path.join(memoFolder(), `${crypto.createHash("sha256").update(key).digest("hex").slice(0, 32)}.json`);
    const saved = JSON.parse(fs.readFileSync(memo, "utf8"));
    if (saved.key === key && typeof saved.digest === "string") {
      return Buffer.from(saved.digest, "hex");
    }
  } catch {
    // no memo yet, or an unreadable one: hash the tarball
  }
  const digest = compute();
  try {
    if (memo !== undefined && memoKey(file, salts) === key) {
      writeAtomically(memo, JSON.stringify({ key, digest: digest.toString("hex") }));
    }
  } catch {
    // an unwritable cache folder only costs the next run a hash
  }
  return digest;
}

if (switchedOn("GPULAB_TARBALL_DIGESTS")) {
  globalThis.gpulabTarballDigest = tarballDigest;
}

module.exports = { tarballDigest };
