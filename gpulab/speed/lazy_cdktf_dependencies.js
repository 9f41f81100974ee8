"use strict";
/**
 * Preloaded into the jsii kernel with NODE_OPTIONS=--require (see fast_import.py).
 *
 * cdktf's index loads two dependencies that a synth without assets or binary
 * version checks never calls: `archiver` (zipping TerraformAsset folders, with
 * lodash, readable-stream, glob and more: about 200 modules) and `semver`
 * (checking a provider binary's version: 45 modules). When cdktf's own files
 * require them, they get a stand-in that loads the real module on first use:
 * calling it, or reading any property. Everything else loads as usual.
 */
const Module = require("module");
const path = require("path");
const { switchedOn } = require("./preload_support");

const DEFERRED = new Set(["archiver", "semver"]);
const CDKTF_FILE = /[\\/]cdktf[\\/]lib[\\/]/;

/** A stand-in for `require(request)` from `parent` that loads the module on first use. */
function deferred(request, parent, load) {
  let real = null;
  const module = () => (real = real || load());
  return new Proxy(() => undefined, {
    apply: (target, thisArgument, args) => Reflect.apply(module(), thisArgument, args),
    get: (target, property) => Reflect.get(module(), property),
    has: (target, property) => Reflect.has(module(), property),
  });
}

const ordinaryLoad = Module._load;
function loadCdktfDependenciesLazily(request, parent, isMain) {
  if (DEFERRED.has(request) && parent && parent.filename && CDKTF_FILE.test(path.dirname(parent.filename) + path.sep)) {
    const args = arguments;
    return deferred(request, parent, () => ordinaryLoad.apply(this, args));
  }
  return ordinaryLoad.apply(this, arguments);
}

if (switchedOn("GPULAB_LAZY_CDKTF_DEPS")) Module._load = loadCdktfDependenciesLazily;

module.exports = { deferred };
