"use strict";
/**
 * Preloaded into the jsii kernel by the `gpulab` command (fast_import.py).
 * Saves: about 0.2 s of the kernel's CPU time on a synth of every shipped
 * environment (compiling some 470 modules: provider resources, cdktf and its
 * dependencies; see docs/speed.md for the measured wall time). Depends on:
 * Node.js 20's `Module.prototype._compile(content, filename, format)`; on
 * any other major version it steps aside (Node.js 22 has its own
 * `module.enableCompileCache`).
 *
 * Node.js compiles every CommonJS module from source on every run. This
 * compiles it with V8's code cache instead: the bytes V8 produced for the
 * same source on an earlier run, remembered after that run ended, so that
 * the functions it compiled then come ready. Keyed by the SHA-256 of the
 * source, in $XDG_CACHE_HOME/gpulab/v8-code/<V8 version>-<arch> (else
 * ~/.cache/gpulab/...); V8 checks its own version, flags and the source's
 * length, and compiles afresh when they differ. The module runs as Node.js
 * runs it: same wrapper arguments, `this`, `require` (with resolve, paths,
 * main, extensions and cache), file name, and line and column in stack
 * traces. Left to Node.js: a script that is not a file, a module that calls
 * `import()` (a vm.Script has no loader for it), one that does not compile
 * as CommonJS, and every module when a debugger or a policy is on (Node.js's
 * compile does more then).
 * Entries are written when the kernel exits, atomically; one that cannot be
 * written only costs the next run a compile.
 * GPULAB_CODE_CACHE=off switches it off.
 */
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const os = require("os");
const path = require("path");
const vm = require("vm");
const { switchedOn } = require("./preload_support");

const SUPPORTED_NODE_MAJOR = "20";
const WRAPPER_COLUMNS = Module.wrapper[0].length; // what Module.wrap puts before line 1's first column

function cacheFolder() {
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(cacheHome, "gpulab", "v8-code", `${process.versions.v8}-${process.arch}`);
}

/** The `require` Node.js gives a module (lib/internal/modules/helpers.js makeRequireFunction). */
function requireFunction(module) {
  const require = function require(id) {
    return module.require(id);
  };
  function resolve(request, options) {
    return Module._resolveFilename(request, module, false, options);
  }
  resolve.paths = (request) => Module._resolveLookupPaths(request, module);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

function readEntry(file) {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined; // not cached yet
  }
}

function writeAtomically(file, bytes) {
  const staging = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(staging, bytes);
    fs.renameSync(staging, file);
  } catch {
    fs.rmSync(staging, { force: true });
  }
}

/** How many modules this process compiled from a cache entry, and how many afresh (for tests and curious users). */
const counts = { fromCache: 0, compiled: 0 };

function install() {
  const folder = cacheFolder();
  const toRemember = []; // [entry file, vm.Script] compiled without a usable entry
  const ordinaryCompile = Module.prototype._compile;

  Module.prototype._compile = function compileFromCodeCache(content, filename, format) {
    const commonJs = format === undefined || format === "commonjs"; // Node.js 20.19+ passes "module" for require(esm)
    const fromFile = path.isAbsolute(filename); // not `node -e`'s script
    if (!commonJs || !fromFile || content.includes("import(")) return ordinaryCompile.apply(this, arguments);
    const entry = path.join(folder, crypto.createHash("sha256").update(content).digest("hex").slice(0, 40));
    const cachedData = readEntry(entry);
    let script;
    try {
      script = new vm.Script(Module.wrap(content), { filename, cachedData, columnOffset: -WRAPPER_COLUMNS });
    } catch {
      return ordinaryCompile.apply(this, arguments); // Node.js reports the error, or loads ES module syntax as such
    }
    if (cachedData === undefined || script.cachedDataRejected) {
      counts.compiled += 1;
      toRemember.push([entry, script]);
    } else {
      counts.fromCache += 1;
    }
    const compiled = script.runInThisContext({ displayErrors: true });
    return compiled.call(this.exports, this.exports, requireFunction(this), this, filename, path.dirname(filename));
  };

  process.on("exit", () => {
    if (toRemember.length === 0) return;
    try {
      fs.mkdirSync(folder, { recursive: true });
    } catch {
      return;
    }
    for (const [entry, script] of toRemember) writeAtomically(entry, script.createCachedData());
  });
}

/** Flags under which Node.js's own compile does more than compile: a debugger pausing on start, policy checks. */
const FLAGS_NEEDING_NODE = /--(inspect|debug|experimental-policy|policy-integrity)/;

function applies() {
  const flags = [...process.execArgv, process.env.NODE_OPTIONS || ""].join(" ");
  return process.versions.node.split(".")[0] === SUPPORTED_NODE_MAJOR && !FLAGS_NEEDING_NODE.test(flags);
}

if (switchedOn("GPULAB_CODE_CACHE") && applies()) install();

module.exports = { cacheFolder, counts };
