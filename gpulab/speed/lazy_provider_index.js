"use strict";
/**
 * Preloaded into the jsii kernel (fast_import.py). Saves: 3.0× (2.9–3.7×) and
 * about 795 MB of a synth of every shipped environment (benchmark `speedups`
 * section, 2026-12-07). Depends on: a provider's `lib/index.js` being lines of
 * `exports.vpc = require("./vpc");`.
 *
 * Requiring that index loads every resource module of the provider. The kernel
 * finds a class by walking exports.vpc.Vpc, so an exports object of getters
 * that require on first use works the same. Any line not recognised runs the
 * ordinary loader, untouched. GPULAB_LAZY_IMPORT=off or =python switches it
 * off here too, so a kernel that inherits the preload honours its own setting.
 */
const Module = require("module");
const fs = require("fs");
const path = require("path");

const PROVIDER_INDEX = /[\\/]@cdktf[\\/]provider-[a-z0-9-]+[\\/]lib[\\/]index\.js$/;
const REQUIRE_LINE = /^exports\.([A-Za-z_$][\w$]*) = require\("(\.\/[\w.-]+)"\);$/;
const HARMLESS_LINES = [
  /^$/,
  /^"use strict";$/,
  /^\/\*\*?$/,
  /^ \*( .*)?$/,
  /^ \*\/$/,
  /^\/\/.*$/,
  /^Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);$/,
  /^(exports\.[A-Za-z_$][\w$]* = )+void 0;$/,
];

/** Lazy exports for a provider index, or null when its layout is unexpected. */
function lazyExports(file) {
  const entries = [];
  const folder = path.dirname(file);
  for (const line of fs.readFileSync(file, "utf8").split(/\r?\n/)) {
    const match = REQUIRE_LINE.exec(line);
    if (match) {
      entries.push([match[1], folder + match[2].slice(1)]); // "./x": path.join costs a third of the parse
    } else if (!HARMLESS_LINES.some((re) => re.test(line))) {
      return null;
    }
  }
  if (entries.length === 0) return null;
  const lazy = {};
  Object.defineProperty(lazy, "__esModule", { value: true });
  for (const [name, target] of entries) {
    Object.defineProperty(lazy, name, {
      enumerable: true,
      configurable: true,
      get() {
        const value = require(target);
        Object.defineProperty(lazy, name, { value, enumerable: true });
        return value;
      },
    });
  }
  return lazy;
}

/** Whether GPULAB_LAZY_IMPORT leaves this loader on (the kernel inherits it from Python; unknown values mean both). */
function switchedOn() {
  const value = (process.env.GPULAB_LAZY_IMPORT || "both").trim().toLowerCase();
  return value !== "off" && value !== "python";
}

// Only requests that name a provider package can load its index: resolving every other
// request a second time would cost more than the check saves.
const MAYBE_PROVIDER = /provider-[a-z0-9-]+/;
const ordinaryLoad = Module._load;
const lazyByFile = new Map();
function loadProviderIndexLazily(request, parent, isMain) {
  if (typeof request === "string" && MAYBE_PROVIDER.test(request)) {
    let file = null;
    try {
      file = Module._resolveFilename(request, parent, isMain);
    } catch (error) {
      file = null; // let the ordinary loader report it
    }
    if (file && PROVIDER_INDEX.test(file)) {
      if (!lazyByFile.has(file)) lazyByFile.set(file, lazyExports(file));
      const lazy = lazyByFile.get(file);
      if (lazy) return lazy;
    }
  }
  return ordinaryLoad.apply(this, arguments);
}

if (switchedOn()) Module._load = loadProviderIndexLazily;

module.exports = { lazyExports };
