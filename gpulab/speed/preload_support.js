"use strict";
/**
 * What gpulab's kernel preloads share (saves nothing itself; depends on Node.js's
 * `Module._load`): reading their switches, recognizing the exact cdktf source
 * they were written against, and replacing one export of one cdktf file when it loads.
 */
const crypto = require("crypto");
const Module = require("module");

/** Whether the switch named `name` is on (the kernel inherits it from Python): as switches.py reads it. */
const OFF_WORDS = new Set(["off", "0", "false", "no"]);
function switchedOn(name) {
  return !OFF_WORDS.has((process.env[name] || "on").trim().toLowerCase());
}

/** SHA-256 of a function's source text, to replace it only when it is the one a preload was written against. */
function sourceDigest(fn) {
  return crypto.createHash("sha256").update(Function.prototype.toString.call(fn)).digest("hex");
}

/**
 * From now on, when `require(request)` with `request` ending in `requestEnd`
 * returns the module of a file matching `file`, and its export `name` is a
 * function not replaced yet, set that export to `replace(module)`, unless
 * that returns null (the module is not the one the preload was written
 * against). The cheap tests come first: most requests never resolve a path.
 */
function replaceExportOnLoad(requestEnd, file, name, replace) {
  const replacements = new WeakSet();
  const ordinaryLoad = Module._load;
  Module._load = function loadReplacingExport(request, parent) {
    const exports = ordinaryLoad.apply(this, arguments);
    if (request.endsWith(requestEnd) && exports && typeof exports[name] === "function" && !replacements.has(exports[name])) {
      const filename = Module._resolveFilename(request, parent);
      const module = Module._cache[filename];
      const replacement = file.test(filename) && module ? replace(module) : null;
      if (replacement) {
        replacements.add(replacement);
        exports[name] = replacement;
      }
    }
    return exports;
  };
}

module.exports = { replaceExportOnLoad, sourceDigest, switchedOn };
