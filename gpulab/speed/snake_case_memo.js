"use strict";
/**
 * Preloaded into the jsii kernel with NODE_OPTIONS=--require (see fast_import.py).
 *
 * Every resource's `toTerraform()`, which cdktf calls twice per synth (to
 * prepare cross-stack references, then to write), passes its attributes
 * through `keysToSnakeCase` of `cdktf/lib/util.js`, and that runs three
 * regular expressions over every key of every nested block: about 7% of the
 * kernel's instructions for each extra copy of tiny, for a few hundred
 * distinct keys.
 *
 * `snakeCase` is a function of its string alone, so here `keysToSnakeCase`
 * is cdktf's own, line for line, except that it asks a memo of `snakeCase`
 * answers first. The module is changed only when both functions have exactly
 * the source text of cdktf 0.21.0's (KEYS_TO_SNAKE_CASE_DIGEST,
 * SNAKE_CASE_DIGEST); `snakeCase` itself stays cdktf's.
 */
const { replaceExportOnLoad, sourceDigest, switchedOn } = require("./preload_support");

const UTIL_FILE = /[\\/]cdktf[\\/]lib[\\/]util\.js$/;
const SNAKE_CASE_DIGEST = "383d16c8c64a449e1a000b3f1efba6b5e5a58dd9acc9130296f57057ca060a70";
const KEYS_TO_SNAKE_CASE_DIGEST = "1af590549088b5485504ce763059de01f7f6547c4864a7aab35c7ffce67f45f8";

/** cdktf 0.21.0's `keysToSnakeCase`, with `snakeCase` answered from a memo (keys are strings). */
function memoizedKeysToSnakeCase(snakeCase, Tokenization) {
  const snakeCases = new Map();
  const snakeCaseOf = (key) => {
    let snake = snakeCases.get(key);
    if (snake === undefined) {
      snake = snakeCase(key);
      snakeCases.set(key, snake);
    }
    return snake;
  };
  return function keysToSnakeCase(object) {
    if (Tokenization.isResolvable(object)) {
      return object;
    }
    if (Array.isArray(object)) {
      return object.map((e) => {
        return typeof e === "object" ? keysToSnakeCase(e) : e;
      });
    }
    const keys = Object.keys(object);
    return keys.reduce((newObject, key) => {
      if (key === "tags" || key === "environment") {
        newObject[key] = object[key];
        return newObject;
      }
      let value = object[key];
      if (typeof value === "object") {
        value = keysToSnakeCase(value);
      }
      if (Array.isArray(value)) {
        value = value.map((e) => {
          return typeof e === "object" ? keysToSnakeCase(e) : e;
        });
      }
      newObject[snakeCaseOf(key)] = value;
      return newObject;
    }, {});
  };
}

/** The memoized `keysToSnakeCase` for cdktf 0.21.0's util module, or null for any other. */
function replaceKeysToSnakeCase(utilModule) {
  const { snakeCase, keysToSnakeCase } = utilModule.exports;
  if (sourceDigest(snakeCase) !== SNAKE_CASE_DIGEST || sourceDigest(keysToSnakeCase) !== KEYS_TO_SNAKE_CASE_DIGEST) {
    return null;
  }
  const { Tokenization } = utilModule.require("./tokens/token");
  const memoized = memoizedKeysToSnakeCase(snakeCase, Tokenization);
  memoized.gpulabMemo = true;
  return memoized;
}

if (switchedOn("GPULAB_SNAKE_CASE_MEMO")) {
  replaceExportOnLoad("util", UTIL_FILE, "keysToSnakeCase", replaceKeysToSnakeCase);
}

module.exports = { memoizedKeysToSnakeCase };
