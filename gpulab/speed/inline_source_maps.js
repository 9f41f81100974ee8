"use strict";
/**
 * Preloaded into the jsii kernel with NODE_OPTIONS=--require (see fast_import.py).
 *
 * cdktf and the provider packages end each compiled file with its source
 * map, inline: `//# sourceMappingURL=data:application/json;base64,…`, about
 * 70% of a provider's JavaScript (560 of 780 KB of google's compute-instance).
 * V8's scanner collects a magic comment's value as it parses a script
 * (`Scanner::TryToParseSourceURLComment` was the kernel's busiest function
 * under `perf record`), so the 188 files a synth of every shipped
 * environment loads cost the kernel about 6% of its instructions for 11.5 MB
 * of comments that nothing reads: Node.js applies source maps only with
 * --enable-source-maps. So each module is compiled without an inline source
 * map on its last line while source maps are off; the code before it, and
 * so every line and column of a stack trace, is unchanged.
 */
const Module = require("module");
const { switchedOn } = require("./preload_support");

const MARK = "\n//# sourceMappingURL=data:";

/**
 * `source` without an inline source map on its last line; `source` itself when it has none.
 *
 * Searches forward: V8's `indexOf` skips through a string, while its
 * `lastIndexOf` compares at every character back through the whole map
 * (2.5% of the kernel's instructions).
 */
function withoutInlineSourceMap(source) {
  for (let at = source.indexOf(MARK); at >= 0; at = source.indexOf(MARK, at + 1)) {
    const lineEnd = source.indexOf("\n", at + MARK.length);
    if (lineEnd === -1 || source.slice(lineEnd).trim() === "") return source.slice(0, at + 1);
  }
  return source;
}

function sourceMapsEnabled() {
  if (typeof process.sourceMapsEnabled === "boolean") return process.sourceMapsEnabled;
  const options = [...process.execArgv, ...(process.env.NODE_OPTIONS || "").split(/\s+/)];
  return options.includes("--enable-source-maps");
}

const ordinaryCompile = Module.prototype._compile;
function compileWithoutInlineSourceMap(content, filename, ...rest) {
  const source = typeof content === "string" && !sourceMapsEnabled() ? withoutInlineSourceMap(content) : content;
  return ordinaryCompile.call(this, source, filename, ...rest);
}

if (switchedOn("GPULAB_SKIP_INLINE_SOURCE_MAPS")) Module.prototype._compile = compileWithoutInlineSourceMap;

module.exports = { withoutInlineSourceMap };
