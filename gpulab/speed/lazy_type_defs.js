"use strict";
/**
 * Preloaded into the jsii kernel (fast_import.py). Saves: about 79 MB of peak
 * memory and 1.1× of a synth of every shipped environment (benchmark `speedups`
 * section, 2026-12-07). Depends on: jsii reading `.jsii.runtime-defs.v1.jsonl`
 * with `fs.readFileSync` and then `defs.toString("utf-8", start, end)`.
 *
 * jsii reads each provider's type definitions file (22-37 MB) whole and keeps
 * it for the kernel's life, to take a few hundred ranges of a few KB. Here
 * `fs.readFileSync` of such a file returns a stand-in that answers a ranged
 * `toString` with a positional read of that range; any other use reads the
 * whole file once and behaves as the Buffer would.
 */
const fs = require("fs");
const { switchedOn } = require("./preload_support");

const DEFS_FILE = /\.jsii\.runtime-defs\.v\d+\.jsonl$/;

/** A Buffer stand-in for `file` whose ranged toString reads only that range. */
function rangeReader(file, ordinaryRead) {
  let whole = null;
  const materialize = () => (whole = whole || ordinaryRead());
  function toString(encoding, start, end) {
    if (whole || !Number.isInteger(start) || !Number.isInteger(end) || end < start) {
      return materialize().toString(encoding, start, end);
    }
    const bytes = Buffer.allocUnsafe(end - start);
    const fd = fs.openSync(file, "r");
    try {
      let read = 0;
      while (read < bytes.length) {
        const n = fs.readSync(fd, bytes, read, bytes.length - read, start + read);
        if (n === 0) break;
        read += n;
      }
      return bytes.toString(encoding, 0, read);
    } finally {
      fs.closeSync(fd);
    }
  }
  return new Proxy(Buffer.alloc(0), {
    get(target, property) {
      if (property === "toString") return toString;
      const real = materialize();
      const value = Reflect.get(real, property, real);
      return typeof value === "function" ? value.bind(real) : value;
    },
    has: (target, property) => Reflect.has(materialize(), property),
    ownKeys: () => Reflect.ownKeys(materialize()),
    getOwnPropertyDescriptor: (target, property) => Reflect.getOwnPropertyDescriptor(materialize(), property),
  });
}

const ordinaryReadFileSync = fs.readFileSync;
function readFileSync(file, options) {
  if (options === undefined && typeof file === "string" && DEFS_FILE.test(file)) {
    return rangeReader(file, () => ordinaryReadFileSync(file));
  }
  return ordinaryReadFileSync.apply(this, arguments);
}

if (switchedOn("GPULAB_LAZY_TYPE_DEFS")) fs.readFileSync = readFileSync;

module.exports = { rangeReader };
