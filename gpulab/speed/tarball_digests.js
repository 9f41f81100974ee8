"use strict";
/**
 * Preloaded into the jsii kernel with NODE_OPTIONS=--require (see fast_import.py).
 *
 * Every time the kernel loads an assembly, jsii hashes its whole tarball with
 * SHA-256 to find the package's folder in its package cache: 30-37 MB for
 * each provider, about 60-95 ms each on this machine, on every run, though the
 * tarball has not changed since it was installed. The direct kernel's copy of
 * jsii's program.js (kernel.py) asks `globalThis.gpulabTarballDigest` for
 * that digest; this file answers from a memo keyed by the tarball's path and
 * identity (device, inode, size, modification and change times, in
 * nanoseconds, the way Python keys its bytecode cache by source size and
 * time) and by jsii's salt arguments, and hashes the tarball as before when
 * there is no memo for it or the memo cannot be read. Any change to the file
 * changes its change time, so a rewritten tarball is hashed again.
 *
 * Memos live in $XDG_CACHE_HOME/gpulab/tarball-digests (else
 * ~/.cache/gpulab/...), one small JSON file each, written atomically.
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
